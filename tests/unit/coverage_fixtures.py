"""Fixture articles for the kinds of coverage issue #14's analyst reported, written by us.

Names of public places, institutions and events aside, every person and detail is
invented. MISSED are about the war without the words the old query insisted on;
PASSING are about something else and name the war, Ukraine or sanctions in a sentence or
two of background, as real coverage does.
"""

from __future__ import annotations

Article = tuple[str, str]


def unwrapped(title: str, text: str) -> Article:
    """One line a paragraph, as coverage arrives from a feed or a page (the text here is
    wrapped for reading; the cleaner keeps every line break as a paragraph break)."""
    paragraphs = (" ".join(block.split()) for block in text.split("\n\n"))
    return title, "\n\n".join(paragraphs)


FRONT_LINE_STRIKE = unwrapped(
    "Missiles hit military base near Lviv as air raid sirens sound across the west",
    """Cruise missiles struck a military training ground outside Lviv before dawn on Sunday,
killing at least nine people and wounding dozens, regional governor officials said.

The Yavoriv range, twenty kilometres from the Polish border, had hosted foreign
instructors before the invasion. Air defence units shot down several missiles, the air
force said, but at least eight got through.

Air raid sirens sounded in Lviv, Ternopil and Ivano-Frankivsk for more than two hours.
Residents spent the night in shelters and basements.

"They are trying to frighten the west of the country, which until now felt safe," said a
deputy mayor. The strike came days after missiles hit an airfield in Lutsk.

Ukraine's armed forces said the base had been struck by missiles launched from bombers
over the Black Sea. Rescue teams were still searching the rubble on Sunday evening.""",
)

EVACUATION = unwrapped(
    "Authorities order evacuation of frontline villages in Donetsk region",
    """Ukrainian authorities ordered the mandatory evacuation of families with children from
a dozen villages near the front line in the Donetsk region on Thursday, as shelling
intensified around Pokrovsk.

Buses and trains will take evacuees to Dnipro and further west, the regional military
administration said. About 4,000 people, among them 600 children, still live in the
villages, many without power or running water.

"Every day the shells land closer," said a volunteer driver who has made the trip from
Myrnohrad a dozen times this month. Some older residents refused to leave their homes.

Officials said attacks with glide bombs had destroyed a school and a hospital in the
area. The front line has moved about ten kilometres in three weeks.

Aid groups said reception centres in Dnipro were filling up and appealed for blankets,
medicine and generators before winter.""",
)

ENLISTMENT = unwrapped(
    "Queues at recruitment centres as new mobilisation law takes effect in Ukraine",
    """Men queued outside recruitment offices in Kyiv and Odesa on Saturday as a new law on
mobilisation came into force, lowering the age at which men can be called up to 25.

The law requires men of fighting age to update their details with the military within
sixty days. Those who enlist voluntarily in assault brigades will be able to choose
their unit, the defence ministry said.

Commanders have warned for months that exhausted units on the front line need rotation
and that soldiers who joined in the first weeks of the war have had no leave.

"My brother has been in the trenches near Bakhmut for two years," said one man waiting
to register. "It is time someone replaced him."

Parliament debated the law for four months. Critics said it did too little to set out
when serving soldiers would be demobilised.""",
)

SHELLED_SUBURB = unwrapped(
    "In Kharkiv's Saltivka, residents rebuild between the shelling",
    """On the ninth floor of a blackened tower block in Saltivka, Kharkiv's northern suburb,
Halyna, 71, sweeps glass from her kitchen for the third time this year.

Shells and rockets fired from across the border, forty kilometres away, have left most
of the district's high-rises scarred. Some have no windows left; others have no walls.

About a third of Saltivka's residents have come back since the spring, the district
administration says. Market stalls have reopened and a bus route runs again.

"When the sirens go I don't move any more," Halyna says. "If it hits, it hits."

Volunteers from the city's territorial defence units help older residents board up
windows before winter. A school reopened in September with classes held in its basement.

The city council says it will need years and billions of dollars to rebuild what the
bombardment has destroyed.""",
)

GAS_CURB = unwrapped(
    "EU countries agree to cut gas use by 15 percent to prepare for winter",
    """European Union energy ministers agreed on Tuesday to cut their gas use by 15 percent
until next spring, to protect the bloc against a full cut-off of supplies by Gazprom.

The plan allows the cut to become binding if supplies run short. Several southern
countries won exemptions after arguing that their own gas networks were not connected
to the rest of the bloc.

Flows through the Nord Stream pipeline have fallen to a fifth of its capacity, and
ministers said Moscow was using gas as a weapon against countries supporting Kyiv.

"We cannot be blackmailed," the Czech minister chairing the meeting told reporters.

Governments are filling storage sites, switching power stations to other fuels and
asking households to turn down their heating. Prices for next winter's gas rose another
6 percent on the news.""",
)

COAL_RESTART = unwrapped(
    "Germany brings mothballed coal plants back online as gas supplies dwindle",
    """Germany will bring ten mothballed coal-fired power stations back online this winter
and keep others running longer to save gas, the economy ministry said on Friday.

The decision is a painful reversal for a government that promised to phase out coal,
but officials said the country had to fill its gas storage before temperatures fall.

Deliveries from Gazprom have been cut sharply since June, and the pipeline operator said
gas flows had not recovered after a turbine was sent abroad for repairs.

Industry groups warned that chemical plants and glassworks could be forced to halt
production if gas rationing were needed.

The government also plans to buy floating terminals to import liquefied gas from
Norway, Qatar and the United States.""",
)

PRICE_CAP = unwrapped(
    "G7 agrees price cap on seaborne oil and targets tankers that break it",
    """The Group of Seven agreed on Friday to cap the price of seaborne crude from Moscow at
$60 a barrel, and to bar its insurers and shipping firms from carrying cargoes sold
above it.

The cap is meant to cut the Kremlin's oil revenues while keeping crude flowing to world
markets. Officials estimate that oil and gas paid for a third of the Russian budget.

Treasury officials said they would target tankers of a so-called shadow fleet that
switched off transponders to hide ship-to-ship transfers off Greece and in the Gulf.

Refiners in India and Turkey have bought record volumes of discounted Urals crude since
the embargo took effect, and some refined products have found their way back to Europe.

Traders said the cap was set close to the price at which Urals already trades.""",
)

YACHT_SANCTIONS = unwrapped(
    "Spanish police seize superyacht of sanctioned oligarch in Mallorca",
    """Spanish police on Monday seized a 70-metre superyacht in the port of Palma belonging
to a metals magnate on the European Union's sanctions list.

Investigators said the owner had tried to hide his ownership behind a chain of shipping
companies registered in the Marshall Islands and Cyprus.

The yacht is the fifth vessel frozen in Spanish ports since EU governments imposed
sanctions on businessmen close to the Kremlin after the full-scale invasion.

A task force of US and European prosecutors is tracing the assets of sanctioned
oligarchs, from London mansions to private jets, and has frozen more than $30 billion.

Lawyers for the owner said he had no political role and would challenge his listing in
the EU's General Court.""",
)

EXPORT_CONTROLS = unwrapped(
    "US tightens export controls after Western chips found in downed missiles",
    """The US Commerce Department on Wednesday added 40 companies in China, Turkey and the
United Arab Emirates to its export blacklist, accusing them of shipping microchips and
machine tools to Moscow's arms makers.

Investigators who examined cruise missiles and drones shot down over Kyiv found
Western-made components in almost all of them, according to a report by researchers.

The rules require licences for a wider range of electronics and close a loophole that
let intermediaries route dual-use goods through third countries.

"Every chip we stop is a missile that does not hit a Ukrainian city," a senior official
said.

Exporters said they faced a growing burden of checks on customers they had never
dealt with directly.""",
)

AID_PACKAGE = unwrapped(
    "G7 pledges $50bn in aid as Kyiv warns of artillery shell shortage",
    """Leaders of the Group of Seven pledged $50 billion in loans for Kyiv on Thursday, to be
repaid from the interest earned on frozen central bank assets, at a summit in Italy.

President Zelensky thanked the leaders but said his troops were firing three times fewer
shells than the enemy and needed more air defence systems to protect cities.

Washington announced a separate military aid package including Patriot interceptors,
artillery ammunition and armoured vehicles, after months in which new deliveries were
held up in Congress.

European officials admitted that the bloc would miss its target of delivering a million
shells by March and said factories would not reach full output until next year.

The leaders also agreed to step up pressure on banks in third countries that help
Moscow evade sanctions.""",
)

NATO_ENLARGEMENT = unwrapped(
    "Finland and Sweden formally apply to join NATO",
    """Finland and Sweden formally applied to join NATO on Wednesday, ending decades of
military non-alignment after the invasion of their neighbour's neighbour changed public
opinion almost overnight.

The ambassadors of the two Nordic countries handed their letters to Secretary General
Jens Stoltenberg at the alliance's headquarters in Brussels.

Support for membership in Finland, which shares a 1,300-kilometre border with Russia,
has risen from around a quarter to more than three quarters since February.

Turkey has threatened to block the applications, accusing both countries of harbouring
Kurdish militants, and the accession must be ratified by all 30 members.

The Kremlin warned of "military-technical" countermeasures if the alliance moved troops
or nuclear weapons closer to its border.""",
)

IRAN_DRONES = unwrapped(
    "Iran shipped hundreds of attack drones to Russia for strikes on power grid, officials say",
    """Iran has shipped hundreds of Shahed attack drones to Moscow since the summer and sent
instructors to help launch them, Western intelligence officials said on Thursday.

The slow, low-flying drones have been used in waves against power stations and
substations, leaving millions of Ukrainians without electricity or heating.

Kyiv's air force says it shoots down most of them, but the attacks have damaged about
a third of the country's power infrastructure.

Tehran denied supplying weapons for use in the war. The EU responded with sanctions on
Iranian officers and the company that makes the drones.

Officials said Iran was also considering sending ballistic missiles, which would be far
harder for Kyiv's air defences to stop.""",
)

FOOD_CRISIS = unwrapped(
    "Putin blames West for global food crisis, says grain can leave via Black Sea",
    """President Vladimir Putin said on Friday that Western sanctions, not the blockade of
Black Sea ports, were to blame for soaring food prices, and offered safe passage for
ships carrying grain from Odesa if sanctions on Russian fertilizer were lifted.

Kyiv and Western governments say the blockade has trapped more than 20 million tonnes
of wheat and maize in silos, threatening shortages in Africa and the Middle East.

The United Nations is trying to broker a deal that would let ships leave Ukrainian
ports through mined waters under the supervision of Turkey.

Ukrainian officials said they did not trust the offer and feared that clearing the
mines would open the coast near Odesa to attack.""",
)

EUROMAIDAN = unwrapped(
    "Yanukovych flees Kiev as protesters take control of government buildings",
    """President Viktor Yanukovych left Kiev on Saturday as protesters took control of the
presidential administration, and parliament voted to remove him and hold an early
election in May.

Crowds on Independence Square, the centre of three months of Euromaidan protests,
cheered as the vote was announced. More than 80 people were killed in clashes with riot
police this week.

Opposition leader Yulia Tymoshenko was freed from prison hospital and flew to the
capital to address the Maidan.

On Monday the interim government issued an arrest warrant for Yanukovych over the mass
killing of protesters. His whereabouts were unknown; aides said he was in the east.

Officials in Moscow called the change of power a coup and recalled their ambassador.""",
)

CRIMEA_2014 = unwrapped(
    "Armed men seize parliament in Crimea as Sevastopol rallies for Moscow",
    """Armed men in unmarked uniforms seized the regional parliament and government
buildings in Simferopol, the capital of Crimea, on Thursday and raised a Russian flag.

In Sevastopol, home port of the Black Sea Fleet, thousands rallied against the new
authorities in Kiev and chose a local businessman as mayor.

The acting president in Kiev warned that any movement of troops beyond the fleet's
bases would be considered military aggression.

Crimea's parliament, meeting behind closed doors, voted to hold a referendum on the
peninsula's status. Ukrainian border guards said military helicopters had crossed into
the peninsula.""",
)

ZAPOROZHYE = unwrapped(
    "IAEA inspectors reach Zaporozhye nuclear plant after shelling near reactors",
    """Inspectors from the International Atomic Energy Agency reached the Zaporozhye
nuclear power plant on Thursday after their convoy was delayed by shelling near
Enerhodar, on the bank of the Kakhovka reservoir.

Europe's largest nuclear plant has been occupied since March and run by its Ukrainian
staff under the control of soldiers. Both sides accuse each other of firing at it.

The agency's director said the plant's physical integrity had been violated several
times and that two inspectors would stay on site permanently.

Shells damaged a cooling system and power lines last week, forcing operators to shut
down a reactor.""",
)

MISSED = {
    "front line: missile strikes on a city's military sites": FRONT_LINE_STRIKE,
    "front line: evacuation of a region": EVACUATION,
    "front line: soldiers' enlistment": ENLISTMENT,
    "front line: life in a shelled suburb": SHELLED_SUBURB,
    "energy war: Europe curbing gas use": GAS_CURB,
    "energy war: reactivating coal": COAL_RESTART,
    "energy war: oil price cap, refinery and tanker sanctions": PRICE_CAP,
    "sanctions: yacht and shipping companies, ports": YACHT_SANCTIONS,
    "sanctions: export controls on technology": EXPORT_CONTROLS,
    "Western support: aid packages, G7 pledges, arms-supply gaps": AID_PACKAGE,
    "Western support: Finland and Sweden joining NATO": NATO_ENLARGEMENT,
    "Russia's allies backing the war (Iran)": IRAN_DRONES,
    "Russia blaming the food crisis on others": FOOD_CRISIS,
    "2014: Euromaidan, Yanukovych's fall and arrest warrant": EUROMAIDAN,
    "2014: Crimea and Sevastopol, Kiev spelling": CRIMEA_2014,
    "Zaporozhye spelling": ZAPOROZHYE,
}

PRISONER_SWAP = unwrapped(
    "American basketball player freed in prisoner swap at Abu Dhabi airport",
    """An American basketball player jailed in Russia for ten months was freed on Thursday in
exchange for a Russian arms dealer serving a 25-year sentence in the United States.

The two were exchanged on the tarmac of Abu Dhabi airport, with officials from the
United Arab Emirates and Saudi Arabia acting as mediators.

The player, 32, had been arrested at a Moscow airport with vape cartridges containing
less than a gram of cannabis oil and sentenced to nine years in a penal colony.

Her family and team-mates campaigned for months for her release. The President said he
had spoken to her by phone and that she was "in good spirits".

Critics in Congress said the deal would encourage the detention of Americans abroad,
and noted that a former marine held in Russia on spying charges had been left behind.

The arms dealer, nicknamed the "merchant of death", was arrested in Thailand in 2008 in
a sting by American agents posing as rebels.

The swap was agreed despite relations between Washington and Moscow sinking to their
lowest point since the Cold War over the invasion of Ukraine.

Officials said talks on the former marine's release would continue.""",
)

TRUMP_PUTIN_SUMMIT = unwrapped(
    "Trump and Putin meet in Helsinki, deny election meddling questions",
    """President Donald Trump and President Vladimir Putin met for more than two hours in
Helsinki on Monday, their first formal summit, with only interpreters in the room.

At a joint news conference Trump declined to say whether he believed his own
intelligence agencies' finding that Moscow had interfered in the 2016 election.

"President Putin says it's not Russia. I don't see any reason why it would be," Trump
said, drawing condemnation from Republican and Democratic lawmakers.

Putin said he had wanted Trump to win because he had talked of improving relations.
He offered to let American investigators question the twelve military intelligence
officers indicted last week for hacking Democratic Party emails.

The two leaders said they had discussed nuclear arms control, the war in Syria and the
security of Israel. Putin said they had also touched on Crimea and eastern Ukraine,
where their positions remained far apart.

Former intelligence chiefs called the news conference shameful. The Senate majority
leader said Russia was not a friend of the United States.

Trump later said he had misspoken and accepted the agencies' conclusion.

Democrats demanded that the interpreter be called to testify about what was said.""",
)

EXPULSIONS = unwrapped(
    "US orders closure of Russian consulate in San Francisco",
    """The United States ordered Russia to close its consulate in San Francisco and two
trade annexes in Washington and New York, the State Department said on Thursday.

The move answers the Kremlin's order last month to cut the staff of American
diplomatic missions in Russia by 755 people.

Officials said the closures were meant to achieve parity in the number of consulates.
Russia's foreign ministry called the decision a hostile act and said it would respond.

Relations have been strained since Washington expelled 35 Russian diplomats in December
over hacking during the presidential election.

Congress voted in July for new sanctions on Moscow over the election interference, its
annexation of Crimea and its role in eastern Ukraine, which the President signed
reluctantly.

The consulate in San Francisco, one of the oldest Russian missions in the country, must
close within 48 hours. Staff were seen carrying boxes out of the building.

A State Department spokeswoman said the US hoped to avoid further escalation and
improve relations.""",
)

THIRD_COUNTRIES = unwrapped(
    "Putin hosts African leaders at summit, offers grain and debt relief",
    """President Vladimir Putin welcomed leaders from 17 African countries to St Petersburg
on Thursday for a two-day summit on trade, security and energy.

Putin promised free shipments of grain to six countries and said Russia had written off
$23 billion of African debt. He offered help building nuclear power stations.

Trade between Russia and Africa reached $18 billion last year, far less than China's or
the European Union's, and Moscow hopes to double it.

Several leaders asked Putin to return to the agreement on grain exports from Ukraine,
which collapsed this month. Food prices in Africa have risen since.

Russian companies signed agreements on mining in Guinea and Zimbabwe, and on a
railway in Egypt. Officials discussed paying for trade in national currencies.

The Wagner group, whose fighters provide security to governments in Mali and the
Central African Republic, was not on the official agenda.

Fewer heads of state came than to the first summit in 2019, which Western diplomats
said showed Moscow's waning pull.

The summit ends on Friday with a joint declaration on a fairer world order.""",
)

ESPIONAGE = unwrapped(
    "Police arrest three Bulgarians suspected of spying for Moscow in Britain",
    """Three Bulgarian nationals have been charged with spying for Russia after a
counter-terrorism investigation, the Metropolitan Police said on Tuesday.

The suspects, who lived in London and Great Yarmouth, are accused of collecting
information on people and places in Britain and abroad for the Russian security services.

Police said they had seized forged identity documents, phones and equipment for
intercepting mobile signals at their homes.

Prosecutors said the group had worked for more than two years and had photographed a
military base in Germany where Ukrainian soldiers were trained.

The three will appear at the Old Bailey next month. They were arrested in February and
held under the Official Secrets Act.

The Home Secretary said Russian espionage on British soil was a growing threat and that
officials were working with allies to counter it.

The Russian embassy said it had no information about the case.""",
)

RUSSIAN_MONEY = unwrapped(
    "Tories under pressure to return donations from businessman with Kremlin ties",
    """The Conservative Party is under pressure to hand back more than £500,000 in
donations from a businessman whose former company had contracts with the Russian state.

Labour said the party had taken money from donors with links to Moscow for years and
called on the Prime Minister to publish the full report on Russian influence in British
politics.

The donor, who became a British citizen in 2012, said he had never been involved in
politics in Russia and had sold his stake in the company a decade ago.

The Electoral Commission said the donations had been properly declared.

MPs on the intelligence committee warned two years ago that London had become a
"laundromat" for illicit Russian money and that successive governments had welcomed
oligarchs with open arms.

The row comes as ministers face questions over the pace of sanctions since the invasion
of Ukraine, with only a handful of businessmen added to the list.

Party officials said all donations were checked for compliance with the law.

A Downing Street spokesman declined to comment on individual donors.""",
)

PASSING = {
    "detained Americans and prisoner swaps": PRISONER_SWAP,
    "Trump-Putin meetings and election interference": TRUMP_PUTIN_SUMMIT,
    "diplomatic expulsions and closures": EXPULSIONS,
    "Russia's dealings with third countries": THIRD_COUNTRIES,
    "espionage and hacking": ESPIONAGE,
    "British politics touching Russian money": RUSSIAN_MONEY,
}
