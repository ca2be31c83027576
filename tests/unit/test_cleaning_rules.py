"""Every furniture rule: what it removes, and the real sentences that look like it but stay."""

import pytest

from streams.cleaning.lines import clean_lines, furniture_rule, trailing_block_start

BODY = "The council approved the new harbour budget on Tuesday after a long debate."
END = "Officials said the work would be finished before the summer season began."


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("ADVERTISEMENT", "advertisement"),
        ("Advertisement:", "advertisement"),
        ("Sponsored content", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Continue reading the main story", "advertisement"),
        ("Click here to order the printed edition for half price this week.", "advertisement"),
        ("Read more:", "read_more"),
        ("READ MORE", "read_more"),
        ("READ MORE: Harbour pilots vote to strike over new rota", "read_more"),
        ("Read more on the harbour strike", "read_more"),
        ("Read More @ northwind.example", "read_more"),
        ("Read the full story", "read_more"),
        ("Also read: Ferry fares to rise in April", "read_more"),
        ("RELATED: Pier repairs run over budget", "read_more"),
        ("Don't miss: Five things to know about the new tram line", "read_more"),
        ("(Related: The pier has been closed twice this decade.)", "read_more"),
        ("• Read our live blog for the latest updates", "read_more"),
        ("Continue reading at Northwind", "read_more"),
        ("Sign up to our Morning Briefing newsletter", "newsletter"),
        ("Get the top stories delivered to your inbox every weekday.", "newsletter"),
        ("You can unsubscribe at any time. By subscribing you agree to our terms.", "newsletter"),
        ("Enter your email address", "newsletter"),
        ("Thank you for subscribing!", "newsletter"),
        ("Newsletter", "newsletter"),
        ("Subscribe to our Telegram channel for breaking news!", "newsletter"),
        ("Share this article", "share"),
        ("Share", "share"),
        ("Share on Facebook", "share"),
        ("Facebook Twitter WhatsApp Email", "share"),
        ("Share this with Email Facebook Messenger Twitter LinkedIn", "share"),
        ("Copy link", "share"),
        ("Please share this story with your friends!", "share"),
        ("Follow us on Facebook, Instagram and X for more.", "share"),
        ("Join the Northwind News WhatsApp channel", "share"),
        ("Photo: Harbour Authority", "photo_credit"),
        ("Image source, Getty Images", "photo_credit"),
        ("Image caption, The pier after the storm", "photo_credit"),
        ("Reuters/Jane Doe", "photo_credit"),
        ("AFP via Getty Images", "photo_credit"),
        ("Picture: Northwind Images | All rights reserved", "photo_credit"),
        ("Media playback is unsupported on your device", "media"),
        ("Media caption The harbour master said the pier was safe again", "photo_credit"),
        ("Image copyright Northwind Images", "photo_credit"),
        ("Photographer: Jane Doe/Northwind", "photo_credit"),
        ("CLICK HERE TO SIGN UP FOR OUR WEEKEND NEWSLETTER", "newsletter"),
        ("CLICK HERE FOR MORE HARBOUR COVERAGE ON NORTHWIND.EXAMPLE", "read_more"),
        ("Watch: Drone footage of the repaired pier", "media"),
        ("Latest Videos", "media"),
        ("3 min read", "media"),
        ("Please enable JavaScript to watch this video", "media"),
        ("© 2026 Northwind Media Ltd. All rights reserved.", "copyright"),
        ("Copyright 2026 Northwind Media", "copyright"),
        ("All rights reserved.", "copyright"),
        ("This material may not be published, broadcast, rewritten or redistributed.", "copyright"),
        ("Comments", "page_furniture"),
        ("12 comments", "page_furniture"),
        ("Leave a Reply", "page_furniture"),
        ("We use cookies to improve your experience on our site.", "page_furniture"),
        ("Accept all cookies", "page_furniture"),
        ("Tags: harbour, ferries, council", "page_furniture"),
        ("Do you have a story for the news desk?", "page_furniture"),
        ("Email us at tips@northwind.example or call 0100 000 000.", "page_furniture"),
        ("Updated: 4 March 2026 10:42 GMT", "page_furniture"),
        ("4 March 2026, 10:42 GMT", "page_furniture"),
        ("pic.twitter.com/AbC123xyz", "embed"),
        ("— Jane Doe (@janedoe) March 4, 2026", "embed"),
        ("Similar Posts", "related_marker"),
        ("Most read in News", "related_marker"),
        ("Recommended articles", "related_marker"),
        ("You may also like", "related_marker"),
        ("More on the harbour", "related_marker"),
        ("About the author", "author_bio"),
        ("Jane Doe covers transport for Northwind. Before that she ... Read more", "author_bio"),
        ("Contact the author at jane.doe@northwind.example for tips.", "author_bio"),
        # the same kinds in other languages
        ("Lea también: El puerto reabre sus muelles tras la tormenta", "read_more"),
        ("Lesen Sie hier: Hafen öffnet wieder nach dem Sturm", "read_more"),
        ("À lire aussi Le port rouvre après la tempête", "read_more"),
        ("Auch interessant:", "related_marker"),
        ("Schon gelesen?", "related_marker"),
        ("Weitere Artikel zum Thema", "related_marker"),
        ("Contenido Relacionado", "related_marker"),
        ("Zum Weiterlesen:", "related_marker"),
        ("Teilen mit:", "share"),
        ("Keine Kommentare", "page_furniture"),
        ("Kategorien", "page_furniture"),
        ("Aktualisiert am 17.01.2026.", "page_furniture"),
        ("Inhaltsverzeichnis", "page_furniture"),
        ("Sie sind aktuell nicht eingeloggt.", "page_furniture"),
        ("Quelle: Hafenbehörde Nordwind, 2. Februar 2026", "photo_credit"),
        ("Crédits photos : Agence Nordwind", "photo_credit"),
        ("Anzeige, enthält Affiliate Links", "advertisement"),
        ("*Werbung. Dieser Beitrag enthält Werbung für eine Fähre.", "advertisement"),
        ("Pour lire la suite", "advertisement"),
        ("Zum Newsletter anmelden", "newsletter"),
        ("Suscríbete a nuestro boletín", "newsletter"),
        ("Vervielfältigung nur mit Genehmigung", "copyright"),
        # its needles hold whatever the case, İ, ı and ſ included (IGNORECASE matches them)
        ("Nordwind Verlag – Alle Rechte vorbehalten", "copyright"),
        ("© 2026 Nordwind S.p.A. TUTTI I DIRITTI RISERVATI", "copyright"),
        ("Tous droits réservés", "copyright"),
        ("todos loſ derechos reservados", "copyright"),
        ("Tutti İ dİrİttİ rİservatİ", "copyright"),
        ("Northwind Newsletter", "newsletter"),
        # a date alone, a list's pages, an embed waiting for consent, a call to comment
        ("17.01.2026", "page_furniture"),
        ("March 4, 2026", "page_furniture"),
        ("Showing 1 to 10 of 42 results", "page_furniture"),
        ("Es werden die Fähren 1 bis 10 von insgesamt 14 angezeigt!", "page_furniture"),
        ("Click the button below to load the content from maps.example.", "page_furniture"),
        ("Klicken Sie auf den Button, um die Karte von maps.example zu laden.", "page_furniture"),
        ("Let us know in the comments: would you take the night ferry?", "page_furniture"),
        ("Verraten Sie es uns gerne in den Kommentaren!", "page_furniture"),
        ("Hafenstraße 12, 26123 Nordstadt", "page_furniture"),
        # links between arrows, credits and captions
        (">> Pier repairs run over budget <<", "read_more"),
        ("... weiter zu Teil 2", "read_more"),
        ("Weitere Informationen hierzu gibt es auf der Website der Hafenbehörde.", "read_more"),
        ("Copyright: Sam Reed", "photo_credit"),
        ("Figure 2: Ferry passengers per month since 2020", "photo_credit"),
        ("Abbildung 4: Der neue Anleger im Winter.", "photo_credit"),
        # disclosures and appeals
        ("This post contains affiliate links.", "advertisement"),
        ("We may receive compensation when you click on links to those products.", "advertisement"),
        ("If you enjoyed reading this post, would you consider supporting our work?", "appeal"),
        ("Please support independent journalism.", "appeal"),
        ("Journalism you can trust. Cancel anytime.", "appeal"),
        ("Periodismo independiente. Cancela cuando quieras.", "appeal"),
        ("Unterstütze den Hafenboten bereits mit 3 Euro!", "appeal"),
        ("Gefällt dir unser Magazin? Dann unterstütze uns.", "appeal"),
        ("Do you want to hear about our events? Sign up here", "newsletter"),
        ("Mit unserem Newsletter sind Sie immer informiert.", "newsletter"),
        ("Puede suscribirse aquí a nuestra newsletter.", "newsletter"),
        ("¡Mira lo que tiene nuestro canal de YouTube!", "share"),
        ("Escucha esta nota aquí", "media"),
        ("Entdecke weitere Reportagen", "related_marker"),
        ("Sofern nicht anders angegeben, stehen die Inhalte unter CC-BY 4.0.", "copyright"),
        # the kinds outlets outside the dev corpus leave, worded as other outlets word them
        ("Media playback is not supported on this device", "media"),
        ("This video can not be played", "media"),
        ("Video player is loading.", "media"),
        ("Enlarge this image", "media"),
        ("toggle caption", "media"),
        ("Replay", "media"),
        ("Caption 5 of 20", "media"),
        ("Slide 4 of 9", "media"),
        ("1 of 12", "media"),
        ("View gallery (12 photos)", "media"),
        ("Skip Ad", "advertisement"),
        ("Video Ad Feedback", "advertisement"),
        ("Scroll to continue with content", "advertisement"),
        ("Photo by Jane Doe/Harbour Times", "photo_credit"),
        ("Photo illustration by Northwind; Getty Images", "photo_credit"),
        ("Click to share on Twitter (Opens in new window)", "share"),
        ("Click to email a link to a friend (Opens in new window) Click to print", "share"),
        ("NOW WATCH: How the harbour's oysters are farmed", "read_more"),
        ("Go deeper: The fight over the estuary", "read_more"),
        ("Published 3 hours ago", "page_furniture"),
        ("Updated: about an hour ago", "page_furniture"),
        ("Download the Northwind app for breaking news alerts", "appeal"),
        ("Get the free Harbour News app", "appeal"),
        ("Write to Jane Doe at jane.doe@northwind.example", "author_bio"),
        ("Follow Jane Doe on Twitter: @janedoe", "author_bio"),
        ("Join the conversation about this story »", "page_furniture"),
        ("Credit Sam Reed/The Northwind Post", "photo_credit"),
        ("(Sam Reed/The Northwind Post)", "photo_credit"),
        ("Courtesy of the Harbour Board", "photo_credit"),
        ("Buy Photo", "media"),
        ("Watch the video above", "media"),
        ("Our Standards: The Northwind Trust Principles.", "page_furniture"),
        ("Have a confidential tip for our reporters? Get in touch", "page_furniture"),
        ("Already a subscriber? Log in", "page_furniture"),
        ("Story highlights", "page_furniture"),
        ("Click here for the latest harbour news.", "read_more"),
        (
            "Missing the latest on the harbour? Sign up for Tide Tables and get it every morning "
            "in your inbox.",
            "newsletter",
        ),
        ("Subscribe now for unlimited digital access", "appeal"),
        # a post's fields, a page's help for its buttons, a logo's text, a shop's call
        ("Posted: 4 March 2026 Category: Harbour news", "page_furniture"),
        ("News date: 03/04/2026 Tags: ferries, harbour", "page_furniture"),
        ("With this button you can add the episode to your playlist.", "page_furniture"),
        ("Mit diesem Button kannst Du die Folge teilen.", "page_furniture"),
        ("Logo of the Harbour Awards 2026", "photo_credit"),
        ("Add to basket", "advertisement"),
        ("Like the recipe? Add the ingredients to your cart.", "advertisement"),
        ("In den Warenkorb", "advertisement"),
    ],
)
def test_furniture_lines_are_recognised(line, rule):
    assert furniture_rule(line) == rule


@pytest.mark.parametrize(
    "line",
    [
        BODY,
        "Read the statement below.",
        "Advertising revenue at the publisher fell by a fifth last year, it said.",
        "Shares in the ferry operator rose 4% after the announcement.",
        "Share prices recovered later in the day.",
        "The minister said she would share the report with the committee on Friday.",
        "More than 300 people signed up for the consultation by email, the council said.",
        "Thousands subscribed to the service's flood alerts after the storm.",
        "The photo, taken on Monday, shows the damaged pier.",
        "Pictures, videos and messages flooded social media after the collapse.",
        "The copyright office rejected the application in 2024.",
        "Copyright lawyers said the ruling would be appealed.",
        "The hackers claimed on a Telegram channel that they had stolen the data.",
        "Musk asked his followers on X whether he should step down.",
        "Watch the full speech below:",
        "See also the committee's earlier report, which reached the same conclusion.",
        "More of the budget will go to repairs than to new projects.",
        "Published in 2019, the study found that storms were getting stronger.",
        "Saturday, 26 February",
        "Comments by the mayor drew criticism from the opposition.",
        "Reuters reported that the talks had stalled.",
        "Follow the money, the auditor told the committee.",
        "Subscribers will pay more from April, the company said.",
        "Jane Doe is a reporter for Northwind who was detained while covering the protests.",
        "The Kremlin said the video was fake.",
        # in other languages
        "Werbung im Internet wächst schneller als jede andere Branche, sagt die Studie.",
        "Weitere Informationen gab die Polizei am Montag nicht bekannt.",
        "Pour lire le rapport, il faut une autorisation du ministère.",
        "Stand 3 feet apart from the edge of the pier.",
        "Lea Müller leitet seit Montag das Hafenamt.",
        "Teilen sich zwei Reedereien den Hafen, steigen die Preise.",
        "Die Kommentare des Ministers sorgten für Empörung im Hafen.",
        "The ferry last ran on 4 March 2026, before the strike began, the operator said.",
        "Showing the plans to residents took the council three evenings.",
        "Figures published on Monday showed passenger numbers had doubled.",
        "The minister asked readers to consider supporting the lifeboat charity.",
        "Critics said in the comments section of the council's website that fares were too high.",
        "Das Konzeptpapier finden Sie hier:",
        "Hier geht's zur Veranstaltung",
        "Die Reederei will ihre Fähren ab 2027 mit Wasserstoff betreiben.",
        "Der Newsletter des Ministeriums erscheint künftig monatlich.",
        # look-alikes of the rules for other outlets' furniture
        "Get the app developers to pay for the harbour's wifi, the minister said.",
        "Download the app's terms before you sign, the regulator advised.",
        "Follow the money on X, the auditor told the committee.",
        "Photo by photo, the exhibition tells the story of the pier.",
        "Email the council at planning@council.example to object before Friday.",
        "Two days ago the pier was still closed.",
        "Replay the tape, the judge told the court.",
        "Only 1 of 12 ferries ran on time in March.",
        "Courtesy matters, the harbour master told the new pilots.",
        "The deal gives season-ticket holders unlimited access to the lounges.",
        "Have a look at the new timetable, the operator said.",
        "Missing the ferry? Sign up for the waiting list, the operator said.",
        "Date: Monday. Venue: the town hall.",
        "The mayor pressed this button to open the new bridge, officials said.",
        "Add the flour to the bowl and stir until smooth.",
        "Shoppers add items to the basket more slowly online, the study found.",
        "Logos of the two ferry companies were painted over.",
        "Photographs by Sam Reed sold for twice their estimate at the auction.",
        "Credit Nordbank/Harbour Trust merger approved",
        "What can residents do? Sign up for the council's flood alerts by email, officials said.",
    ],
)
def test_real_sentences_that_look_like_furniture_stay(line):
    assert furniture_rule(line) == ""


def test_a_trailing_related_list_goes_from_its_marker_to_the_end():
    lines = [BODY, "Related stories", "- Tram line extended to airport", "- Bakery sales soar"]
    out, removed = clean_lines("Title", lines)
    assert out == [BODY]
    assert [r.rule for r in removed] == ["trailing_related_list"] * 3


def test_a_long_paragraph_after_a_related_marker_is_kept():
    """A real sentence after the marker means it was not a trailing list: keep the body."""
    long = " ".join(["word"] * 30) + "."
    out, removed = clean_lines("T", ["Body.", "Similar Posts", long])
    assert long in out and "Similar Posts" not in out
    assert [r.rule for r in removed] == ["related_marker"]


@pytest.mark.parametrize(
    ("lines", "start"),
    [
        ([BODY, "Tags:", "harbour", "ferries"], 1),
        ([BODY, "Sources include:", "northwind.example", "harbour.example"], 1),
        ([BODY, END], 2),
        ([BODY, "Most read in News", BODY + " " + END], 3),
    ],
)
def test_trailing_block_start(lines, start):
    assert trailing_block_start(lines) == start


def test_a_marker_in_the_middle_goes_alone_and_the_body_after_it_stays():
    out, removed = clean_lines("T", [BODY, "Most read in News", END])
    assert out == [BODY, END]
    assert [r.rule for r in removed] == ["related_marker"]


def test_the_heading_of_a_newsletter_box_goes_with_it():
    lines = [BODY, "DON'T MISS A THING", "Sign up to get our briefing in your inbox.", END]
    out, removed = clean_lines("T", lines)
    assert out == [BODY, END]
    assert [r.rule for r in removed] == ["newsletter", "newsletter"]


def test_a_subheading_before_body_text_stays():
    out, _ = clean_lines("T", [BODY, "Repairs ahead of schedule", END])
    assert out == [BODY, "Repairs ahead of schedule", END]


def test_a_biography_at_the_end_goes_but_the_same_shape_in_the_body_stays():
    bio = "Jane Doe is a transport correspondent for Northwind News."
    out, removed = clean_lines("T", [bio, BODY, END, bio.replace("Jane", "John")])
    assert out == [bio, BODY, END]
    assert [r.rule for r in removed] == ["author_bio"]


@pytest.mark.parametrize(
    ("line", "kept", "cut", "rule"),
    [
        (
            "Crowds gathered at the pier (Image: Northwind Images/Jane Doe) on Monday.",
            "Crowds gathered at the pier on Monday.",
            "(Image: Northwind Images/Jane Doe)",
            "photo_credit",
        ),
        (
            "The pier reopened. (Photo by Jane Doe/Northwind)",
            "The pier reopened.",
            "(Photo by Jane Doe/Northwind)",
            "photo_credit",
        ),
        (
            "Divers inspected the piles. RELATED ARTICLES Previous 1 Next Tram line extended "
            "Bakery sales soar Share this article Share 12 shares The work took a week.",
            "Divers inspected the piles. The work took a week.",
            "RELATED ARTICLES Previous 1 Next Tram line extended Bakery sales soar Share this "
            "article Share 12 shares",
            "related_card",
        ),
        (
            "The mayor welcomed the news. READ MORE: Tram line extended to the airport",
            "The mayor welcomed the news.",
            "READ MORE: Tram line extended to the airport",
            "related_card",
        ),
        (
            "The council meets again in June. © 2026 Northwind Media. All rights reserved.",
            "The council meets again in June.",
            "© 2026 Northwind Media. All rights reserved.",
            "copyright",
        ),
        (
            "The pier is open again. pic.twitter.com/AbC123xyz",
            "The pier is open again.",
            "pic.twitter.com/AbC123xyz",
            "embed",
        ),
        (
            "Media playback is unsupported on your device The pier reopened on Monday.",
            "The pier reopened on Monday.",
            "Media playback is unsupported on your device",
            "media",
        ),
        (
            "JUST WATCHED Pier reopens Replay More Videos ... MUST WATCH Pier reopens 01:22 The "
            "pier reopened on Monday.",
            "The pier reopened on Monday.",
            "JUST WATCHED Pier reopens Replay More Videos ... MUST WATCH Pier reopens 01:22",
            "media",
        ),
        (
            "The pier reopened. Photos: The storm Waves hit the pier. Hide Caption 1 of 12",
            "The pier reopened.",
            "Photos: The storm Waves hit the pier. Hide Caption 1 of 12",
            "media",
        ),
        (
            "SHARE THIS ARTICLE Share Tweet Post Email The pier reopened.",
            "The pier reopened.",
            "SHARE THIS ARTICLE Share Tweet Post Email",
            "share",
        ),
        (
            "LISTEN TO ARTICLE 4:31 The pier reopened.",
            "The pier reopened.",
            "LISTEN TO ARTICLE 4:31",
            "share",
        ),
        (
            "The pier reopened on Monday. Read or Share this story: https://nw.example/3xQ",
            "The pier reopened on Monday.",
            "Read or Share this story: https://nw.example/3xQ",
            "share",
        ),
        (
            "Councillor Jane DoeJane Q. DoeDoe backs new ferry timetable MORE (Harbour Party) "
            "said the pier was safe.",
            "Councillor Jane Doe (Harbour Party) said the pier was safe.",
            "Jane Q. DoeDoe backs new ferry timetable MORE",
            "related_card",
        ),
        (
            "Mayor Bo RoeRobert (Bo) RoeHarbour: What the new pier means MORE (Ind.) spoke.",
            "Mayor Bo Roe (Ind.) spoke.",
            "Robert (Bo) RoeHarbour: What the new pier means MORE",
            "related_card",
        ),
        (
            "The pier reopened. CLICK HERE TO SIGN UP FOR OUR HARBOUR NEWSLETTER The work took "
            "a week.",
            "The pier reopened. The work took a week.",
            "CLICK HERE TO SIGN UP FOR OUR HARBOUR NEWSLETTER",
            "newsletter",
        ),
        (
            "Photographer: Jane Doe/Bloomberg The pier reopened on Monday.",
            "The pier reopened on Monday.",
            "Photographer: Jane Doe/Bloomberg",
            "photo_credit",
        ),
        (
            "The pier reopened on Monday. Read More Tram line to reach the airport by 2030",
            "The pier reopened on Monday.",
            "Read More Tram line to reach the airport by 2030",
            "related_card",
        ),
        # other outlets' players, credits and calls, glued to a paragraph
        (
            "Enlarge this image toggle caption Jane Doe/AP Jane Doe/AP The pier reopened.",
            "The pier reopened.",
            "Enlarge this image toggle caption Jane Doe/AP Jane Doe/AP",
            "media",
        ),
        (
            "The pier reopened. Media playback is not supported on this device The work took a "
            "week.",
            "The pier reopened. The work took a week.",
            "Media playback is not supported on this device",
            "media",
        ),
        (
            "The pier reopened on Monday. Photo: Jane Doe/Harbour Times",
            "The pier reopened on Monday.",
            "Photo: Jane Doe/Harbour Times",
            "photo_credit",
        ),
        (
            "The pier reopened. CLICK HERE TO SIGN UP FOR OUR HARBOUR NEWSLETTER HERE The work "
            "took a week.",
            "The pier reopened. The work took a week.",
            "CLICK HERE TO SIGN UP FOR OUR HARBOUR NEWSLETTER HERE",
            "newsletter",
        ),
        (
            "The pier reopened on Monday. NOW WATCH: How oysters are farmed",
            "The pier reopened on Monday.",
            "NOW WATCH: How oysters are farmed",
            "related_card",
        ),
        (
            "Vice President Lin McKayLinda McKayMcKay heads to port city MORE would attend.",
            "Vice President Lin McKay would attend.",
            "Linda McKayMcKay heads to port city MORE",
            "related_card",
        ),
        (
            "Gov. Ron DeSantisRonald Dion DeSantisDeSantis signs ferry bill MORE (R-Fla.) spoke.",
            "Gov. Ron DeSantis (R-Fla.) spoke.",
            "Ronald Dion DeSantisDeSantis signs ferry bill MORE",
            "related_card",
        ),
        (
            "The pier reopened. CLICK HERE FOR MORE HARBOUR COVERAGE ON NORTHWIND.COM US "
            "officials said so.",
            "The pier reopened. US officials said so.",
            "CLICK HERE FOR MORE HARBOUR COVERAGE ON NORTHWIND.COM",
            "read_more",
        ),
        (
            "The pier reopened on Monday. CLICK HERE FOR MORE HARBOUR COVERAGE",
            "The pier reopened on Monday.",
            "CLICK HERE FOR MORE HARBOUR COVERAGE",
            "read_more",
        ),
        (
            "The pier reopened on Monday. Buy Photo The work took a week.",
            "The pier reopened on Monday. The work took a week.",
            "Buy Photo",
            "media",
        ),
        (
            "The pier reopened on Monday (what the repairs cost >>>).",
            "The pier reopened on Monday.",
            "(what the repairs cost >>>)",
            "read_more",
        ),
    ],
)
def test_furniture_inside_a_line_is_cut_and_the_rest_stays(line, kept, cut, rule):
    out, removed = clean_lines("T", [line])
    assert out == [kept]
    assert [(r.rule, r.text) for r in removed] == [(rule, cut)]


@pytest.mark.parametrize(
    "line",
    [
        "The minister (pictured) arrived on Monday.",
        "Russian losses reached 500 (source: the defence ministry).",
        "The US Copyright Office said it would review the case.",
        "He shouted READ MORE books at the crowd.",
        "McDonald's said it would hire MORE staff, in capitals on its posters.",
        "The YouTube Music team said MORE THAN half of its users were new.",
        "The minister said she would share this article with the committee.",
        "Share prices rose. Tweet counts fell. Post offices closed.",
        "Click here, the sign said, to open the gate.",
        "The image: a pier, a storm, a boat.",
        "Her entry, Photo: Jane Doe at the Pier, won the prize.",
        "Readers can read more about the pier in the council's report.",
        # a card's headline that may run into a body sentence (it ends in a full stop) stays
        "The pier reopened. READ MORE: Ferry fares rise The operator said prices would rise.",
        "The pier reopened on Monday. Read More Ferry operator said fares would rise.",
        # where a call in capitals ends is unknown: the next sentence may start with "US"
        "The pier reopened. CLICK HERE FOR MORE COVERAGE US officials said so.",
    ],
)
def test_look_alike_spans_inside_real_sentences_stay(line):
    out, removed = clean_lines("T", [line])
    assert out == [line] and removed == []


def test_a_card_injected_mid_sentence_goes_and_the_sentence_is_rejoined():
    lines = [
        "The harbour master said the repairs had taken",
        "READ MORE: Tram line extended to the airport",
        "longer than planned because of the winter storms.",
        END,
    ]
    out, removed = clean_lines("T", lines)
    assert out == [
        "The harbour master said the repairs had taken longer than planned because of the "
        "winter storms.",
        END,
    ]
    assert [r.rule for r in removed] == ["read_more"]


def test_paragraphs_are_not_rejoined_when_nothing_was_removed_between_them():
    lines = ["A heading without a full stop", "then a line starting in lower case."]
    out, _ = clean_lines("T", lines)
    assert out == lines


@pytest.mark.parametrize(
    ("line", "removed"),
    [
        ("January 13, 2026 at 08:45 AM | categories: Harbour, Ferries | View Comments", True),
        ("Home | Harbour | Ferries | Contact", True),
        ("| Ferry | Departs | Arrives |", False),  # a table row
        ("The ferry left at dawn | the pier was closed for the whole afternoon.", False),
    ],
)
def test_a_bar_of_short_items_between_bars_is_page_furniture(line, removed):
    out, _ = clean_lines("T", [BODY, line])
    assert (line not in out) == removed
