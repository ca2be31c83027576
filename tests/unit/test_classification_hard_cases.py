"""The hard cases of real traffic, as fixture articles we wrote, against the default taxonomy.

Each article is invented (names of public events and places aside) and shaped like the
stories that trip a keyword classifier: US politics about Ukraine, Russia without Ukraine,
Ukraine without Russia, and Russia/Ukraine words that only come from a related-headline box.
"""

from __future__ import annotations

import pytest

from schemas import CleanArticle
from streams.classification.logic import classify, compile_taxonomy, explain_topic
from streams.classification.taxonomy import load_taxonomy
from streams.settings import DEFAULT_TAXONOMY
from tests.unit.coverage_fixtures import unwrapped
from tests.unit.test_cleaning import cleaned

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
TOPIC = "russia-ukraine"

IMPEACHMENT = unwrapped(
    "House Democrats subpoena White House in Trump impeachment inquiry over Ukraine call",
    """House Democrats on Friday subpoenaed the White House for documents about President
Donald Trump's July call with Ukrainian President Volodymyr Zelensky, deepening the
impeachment inquiry that has consumed Washington for two weeks.

A whistleblower complaint alleges that Trump pressed Zelensky to investigate former Vice
President Joe Biden and his son Hunter while nearly $400 million in military aid for
Ukraine was on hold.

Republicans dismissed the inquiry as a partisan exercise. "There was no quid pro quo,"
a senior Republican senator told reporters outside the Senate chamber.

The aid, approved by Congress to help Ukraine counter Russian aggression in the east of
the country, was released in September after lawmakers from both parties objected.

Committee chairs said the White House had ignored earlier requests and that refusing the
subpoena would itself be evidence of obstruction. Trump called the impeachment effort a
witch hunt and said his call with the Ukrainian leader had been perfect.""",
)

BURISMA = unwrapped(
    "Senate Republicans release report on Hunter Biden's role at Burisma",
    """Senate Republicans on Wednesday released a report on Hunter Biden's seat on the board
of Burisma, a Ukrainian natural gas company, weeks before the presidential election.

The report said the appointment raised conflict-of-interest concerns while his father,
then vice president, led US policy on Ukraine. It found no evidence that Joe Biden changed
that policy because of his son.

Democrats called the report a campaign smear built on claims already debunked during the
impeachment trial. Burisma's founder had been investigated in Ukraine for corruption, and
Western officials had pressed Kyiv to fire a prosecutor they considered ineffective.

The committee chairman said further hearings could follow after the election.""",
)

MANAFORT = unwrapped(
    "Manafort sentenced for hiding millions earned lobbying for pro-Russian Ukrainian party",
    """Paul Manafort, the former chairman of Donald Trump's campaign, was sentenced on
Thursday for hiding millions of dollars he earned as a political consultant in Ukraine.

Prosecutors from the special counsel's office said Manafort worked for a decade for
Viktor Yanukovych and his pro-Russian Party of Regions, and concealed the payments in
offshore accounts in Cyprus.

Yanukovych fled to Russia in 2014 after mass protests in Kyiv, shortly before Moscow
annexed Crimea. Manafort's lawyers argued that his work in Ukraine had been legal
lobbying and that the case had nothing to do with Russian interference in the election.

The judge said the sentence reflected the scale of the tax and bank fraud, not the
politics of the case. Manafort, 69, is expected to appeal.""",
)

ELECTION_INTERFERENCE = unwrapped(
    "US sanctions Russian operatives over interference in the midterm elections",
    """The Treasury Department on Thursday imposed sanctions on Russian individuals and
companies it accused of meddling in the US midterm elections through social media
campaigns and hacking.

Officials said the Internet Research Agency in St Petersburg ran thousands of fake
accounts that posed as American activists, and that Russian military intelligence
officers tried to break into state election systems.

The Kremlin denied any interference and said the sanctions would further damage
relations. Russia's foreign ministry promised a response.

The measures come on top of sanctions imposed over Russia's annexation of Crimea in
2014, which remain in force. Lawmakers from both parties said they would push for
tougher steps if interference continued before the presidential election.""",
)

SKRIPAL = unwrapped(
    "Britain expels 23 Russian diplomats over Salisbury nerve agent attack",
    """Britain will expel 23 Russian diplomats after Moscow failed to explain how a
military-grade nerve agent was used to poison former spy Sergei Skripal and his daughter
Yulia in Salisbury, the prime minister told parliament on Wednesday.

The nerve agent, Novichok, was developed in the Soviet Union. Investigators say the
pair were found unconscious on a park bench and remain in critical condition.

The Kremlin denied any involvement and accused London of staging a provocation. Russian
officials said Moscow would respond in kind and expel British diplomats.

Relations between London and Moscow were already strained over the conflict in Ukraine
and over Russian support for the Syrian government. Allies including the United States,
France and Germany said they stood with Britain and would coordinate their response.""",
)

SYRIA = unwrapped(
    "Russian jets pound rebel-held Idlib as Syria ceasefire talks stall",
    """Russian and Syrian government warplanes carried out dozens of air strikes on the
rebel-held province of Idlib on Tuesday, activists said, as talks on a ceasefire stalled
in Geneva.

The offensive, backed by Russian air power and Iranian-supported militias, has pushed
hundreds of thousands of civilians towards the Turkish border, the United Nations said.

Russia's foreign minister Sergei Lavrov said Moscow would continue to support President
Bashar al-Assad's fight against terrorists. Turkey, which backs some rebel groups, called
for an immediate ceasefire and warned of a new refugee wave.

Aid agencies said hospitals had been hit in the shelling and that food and fuel were
running out in camps along the border.""",
)

DETAINED_AMERICAN = unwrapped(
    "Moscow court extends detention of American teacher held on drug charges",
    """A Moscow court on Monday extended the detention of an American teacher arrested at a
Russian airport in August, when customs officers said they found cannabis oil in his
luggage.

His family says the medical marijuana was prescribed for chronic back pain and that he
is being held as a bargaining chip. The US State Department has designated him as
wrongfully detained and is pressing for his release.

Washington and Moscow have exchanged prisoners before, and Kremlin officials have said
such swaps can only be negotiated quietly. Relations between the two countries have sunk
to their lowest point in decades since the war in Ukraine began.

The teacher, who had taught at an international school in Moscow for ten years, faces up
to 15 years in a Russian prison if convicted. His next hearing is set for December.""",
)

AIRLINER = unwrapped(
    "Iran admits its military shot down Ukrainian airliner by mistake",
    """Iran's military admitted on Saturday that it had shot down a Ukraine International
Airlines passenger jet by mistake, killing all 176 people on board, after days of denials.

The Boeing 737 was hit by two missiles minutes after taking off from Tehran for Kyiv. A
statement said an air defence operator had mistaken the plane for a hostile target at a
time of high alert after Iranian strikes on US bases in Iraq.

Ukrainian President Volodymyr Zelensky demanded a full apology, compensation for the
families and the punishment of those responsible. Ukraine sent investigators to Tehran
to examine the wreckage and the flight recorders.

Most of the victims were Iranian and Canadian citizens. Canada's prime minister said the
families deserved answers. Investigators said the missiles came from a Russian-made Tor
air defence system.""",
)

RELATED_BOX = unwrapped(
    "City council approves new stadium for local football club",
    """The city council voted on Tuesday to approve a new 20,000-seat stadium for the town's
football club, ending a decade of debate over the riverside site.

Councillors backed the plan by 31 votes to 12 after the club agreed to pay for new roads
and a footbridge. Residents' groups said they would consider a legal challenge.

Related stories
Putin warns Kyiv over Western tanks
Ukraine says Russian troops massing near Kharkiv
Kremlin rejects Ukrainian ceasefire call

Construction is due to begin next spring and the club hopes to play its first match in
the new ground in two years. The chairman thanked supporters for their patience.""",
)

SANCTIONS = unwrapped(
    "EU agrees new sanctions on Russia over war in Ukraine",
    """European Union governments agreed on Wednesday on a new package of sanctions against
Russia over its war in Ukraine, targeting banks, oil exports and dozens of officials.

The measures include a ban on transactions with Russia's central bank reserves held in
the bloc and extend an asset freeze to more members of the Russian parliament who voted
to recognise the separatist regions of Donetsk and Luhansk.

Ukrainian President Volodymyr Zelensky welcomed the sanctions but urged the EU to stop
buying Russian gas. The Kremlin said the measures would not change its course.

Diplomats said a further package was being prepared in case Moscow escalated its
offensive in the east of Ukraine.""",
)

GAS = unwrapped(
    "Russia cuts gas flows to Europe through Nord Stream as winter looms",
    """Russia's Gazprom cut gas deliveries through the Nord Stream pipeline to a fifth of
capacity on Wednesday, deepening an energy crisis in Europe as governments race to fill
storage before winter.

European officials accused Moscow of using gas as a weapon in retaliation for Western
support for Ukraine and sanctions imposed after the invasion. Gazprom blamed maintenance
problems with a turbine.

Germany, which before the war bought more than half of its gas from Russia, warned
households and industry to prepare for rationing. Prices jumped 10 percent on the news.

The Kremlin said the reductions had nothing to do with politics and that Europe had only
itself to blame for the sanctions.""",
)

# The same stories with the background paragraph real coverage often ends on.
BACKGROUND = {
    "airliner, with Russia's role denied": (
        AIRLINER,
        "Russia, which supplied the Tor system to Iran, said it had no role. Moscow offered "
        "condolences to Kyiv.",
    ),
    "impeachment, with the war in the east": (
        IMPEACHMENT,
        "Ukraine has been at war with Russian-backed separatists in the east since 2014, a "
        "conflict that has killed 13,000 people.",
    ),
    "Skripal, with the Crimea sanctions": (
        SKRIPAL,
        "Britain had already imposed sanctions on Moscow after Russia annexed Crimea from "
        "Ukraine in 2014.",
    ),
    "detained American, with the invasion": (
        DETAINED_AMERICAN,
        "The case comes as Russia's invasion of Ukraine enters its second year and Western "
        "sanctions bite.",
    ),
}

OUT_OF_TOPIC = {
    "2019 impeachment": IMPEACHMENT,
    "Burisma": BURISMA,
    "Manafort's lobbying": MANAFORT,
    "election interference": ELECTION_INTERFERENCE,
    "Skripal poisoning": SKRIPAL,
    "Syria": SYRIA,
    "detained American": DETAINED_AMERICAN,
    "airliner downed over Iran": AIRLINER,
    "related-headline box": RELATED_BOX,
} | {
    name: (title, f"{text}\n\n{paragraph}")
    for name, ((title, text), paragraph) in BACKGROUND.items()
}
IN_TOPIC = {"sanctions tied to the war": SANCTIONS, "gas supply tied to the war": GAS}


def _topics(article: CleanArticle) -> list[str]:
    return [topic.id for topic in classify(article, TAXONOMY).topics]


@pytest.mark.parametrize(("title", "text"), OUT_OF_TOPIC.values(), ids=OUT_OF_TOPIC.keys())
def test_hard_negatives_are_not_russia_ukraine(title, text):
    article = cleaned(title, text)
    assert TOPIC not in _topics(article), explain_topic(article, TAXONOMY, TOPIC)


@pytest.mark.parametrize(("title", "text"), IN_TOPIC.values(), ids=IN_TOPIC.keys())
def test_sanctions_and_gas_tied_to_the_war_are_russia_ukraine(title, text):
    article = cleaned(title, text)
    assert TOPIC in _topics(article), explain_topic(article, TAXONOMY, TOPIC)


@pytest.mark.parametrize(
    ("case", "topic"),
    [
        ("2019 impeachment", "us-politics"),
        ("Burisma", "us-politics"),
        ("election interference", "us-politics"),
        ("Syria", "middle-east"),
        ("airliner downed over Iran", "middle-east"),
        ("detained American", "crime-justice"),
        ("Manafort's lobbying", "crime-justice"),
        ("related-headline box", "sport"),
    ],
)
def test_hard_negatives_land_where_a_reader_would_file_them(case, topic):
    assert topic in _topics(cleaned(*OUT_OF_TOPIC[case]))


def test_the_box_counts_for_little_even_if_cleaning_leaves_it():
    """Classified as it stands, box and all: headline-like lines are asides."""
    title, text = RELATED_BOX
    article = CleanArticle(id="box", title=title, text=text)
    assert explain_topic(article, TAXONOMY, TOPIC).score < 0.4
