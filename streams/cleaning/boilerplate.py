"""What page furniture looks like once a page or feed has become lines of text. Pure data.

Each rule names a kind of furniture (the `rule` recorded in `CleanArticle.removed` and the
label of `newsradar_cleaning_removals_total`). Line rules must match a whole, short line:
a real sentence that merely mentions "newsletter" or "Facebook" is longer than a share bar
and does not start with an imperative, so it stays. The patterns come from the shapes
scraped news text shows (the dev corpus in ../shared/data was read for them; no text of it
is kept here). When unsure, a rule keeps the line: a cleaner that drops a real sentence is
worse than one that keeps a footer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from streams.cleaning import boilerplate_languages as languages

_I = re.IGNORECASE


@dataclass(frozen=True, slots=True)
class LineRule:
    """A whole line of furniture: `pattern` must match all of it, within `max_words` words.

    `needs`: when given, one of these must occur in the lowered line; a cheap test that
    spares long body lines the pattern's scan.
    """

    rule: str
    pattern: re.Pattern[str]
    max_words: int
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SpanRule:
    """Furniture inside a line; only tried when one of `triggers` occurs in the lowered line
    (in the line as written, with `exact`: for furniture set in capitals)."""

    rule: str
    pattern: re.Pattern[str]
    triggers: tuple[str, ...]
    max_words: int = 60
    exact: bool = False


def _anycase(rule: str, pattern: str, triggers: tuple[str, ...], max_words: int) -> SpanRule:
    """A span rule matched whatever the case, triggered by its words in small letters."""
    return SpanRule(rule, re.compile(pattern, _I), triggers, max_words)


def _capitals(rule: str, pattern: str, triggers: tuple[str, ...], max_words: int) -> SpanRule:
    """A span rule for furniture set as written (often in capitals): matched case-sensitively,
    triggered by its words as written."""
    return SpanRule(rule, re.compile(pattern), triggers, max_words, exact=True)


def _line(rule: str, max_words: int, *alternatives: str, needs: tuple[str, ...] = ()) -> LineRule:
    body = "|".join(f"(?:{alternative})" for alternative in alternatives)
    # A bullet or an emoji may stand before furniture, punctuation after it.
    pattern = re.compile(rf"(?:[^\w\s]{{1,3}}\s*)?(?:{body})[\s.:;!?|·•-]*", _I)
    return LineRule(rule, pattern, max_words, needs)


_SOCIAL = (
    r"facebook|twitter|x|instagram|whatsapp|linkedin|telegram|reddit|pinterest|messenger"
    r"|flipboard|threads|bluesky|mastodon|viber|tumblr|youtube|tiktok|vk|sms"
)
_AGENCY = (
    r"getty(?: images)?|afp|ap(?: photo| images)?|reuters|epa(?:-efe)?|efe|pa(?: media| wire)?"
    r"|shutterstock|alamy|anadolu(?: agency)?|xinhua|tass|sputnik|ria novosti|bloomberg"
    r"|nurphoto|sopa images|zuma(?: press)?|dpa|ansa|kyodo|yonhap|cnsphoto"
)
#: For rules that need a digit in the line.
DIGITS = tuple("0123456789")
_SHARE_WORD = r"(?:Share|Tweet|Post|Email|E-mail|Print|Pin|Save|Facebook|Twitter|LinkedIn|WhatsApp)"
#: News agencies as credited in running text (their capitals as written).
_AGENCY_CAPS = (
    r"Getty Images|AFP|AP|Reuters|EPA|PA|Shutterstock|Alamy|Bloomberg|Xinhua|TASS|Sputnik"
    r"|NurPhoto|SOPA Images|ZUMA Press|dpa|ANSA|Kyodo|Yonhap|The Washington Post|The New York Times"
)
#: Where a name has a capital inside it ("McKay", "MacLeod", "DeSantis", "LeBlanc", "VanDyke").
_NAME_INSIDE = "".join(
    rf"(?<!\b{prefix})" for prefix in ("Mc", "Mac", "De", "Le", "La", "Di", "Du", "Van", "Von")
)
#: What a share button says after "Click to" ("Click to share on X (Opens in new window)").
_CLICK_TO_SHARE = (
    rf"share on (?:{_SOCIAL}|[\w+]+)|e-?mail (?:this |a link )?to a friend|print|e-?mail"
)
_RELATED_NOUN = (
    r"posts?|articles?|stories|story|news|reads?|links?|content|coverage|topics?|headlines|picks"
)
_RELATED_MARKER = (
    rf"(?:similar|related|recommended|suggested|popular|trending|top|latest|more|other|featured"
    rf"|editor'?s)(?:\s+\w+){{0,2}}\s+(?:{_RELATED_NOUN})",
    r"most (?:read|popular|viewed|shared|watched|commented)"
    r"(?:\s+(?:in|on|from)\s+[\w .&'-]{1,40})?",
    r"(?:you|we think you) (?:may|might|will|could) (?:also )?(?:like|enjoy|be interested in)"
    r"(?: this)?",
    r"(?:read|watch|up) next|what to read next|further reading|more on this(?: story)?",
    r"in other news|elsewhere on [\w .&'-]{1,40}|related|trending(?: now)?|popular now",
    r"don'?t miss|recommended(?: for you)?|more (?:from|in) [\w .&'-]{1,40}|editor'?s picks?",
    r"more on [\w'-]+(?: [\w'-]+){0,2}",
)

#: Whole-line furniture, tried in this order (the first match names the kind).
LINE_RULES: tuple[LineRule, ...] = (
    _line(
        "advertisement",
        10,
        r"advertisement|advertising|advert|ads?|sponsored(?: (?:content|posts?|links?|stories))?",
        r"promoted(?: (?:content|stories|links?))?|paid (?:content|post|partnership|promotion)",
        r"partner content|advertise with us|report (?:this )?ad|ad feedback|remove ads",
        r"(?:the )?(?:story|article|text) continues (?:below|after)(?: (?:this|the))?"
        r"(?: (?:advertisement|advert|ad))?",
        r"continue reading (?:below|the main story)|scroll (?:down )?to continue(?: reading"
        r"| with (?:the )?(?:content|article|story))?|skip ad|video ad feedback",
        r"content continues below",
    ),
    _line("advertisement", 25, r"click here to (?:get|buy|order|subscribe|download|shop)\b.*"),
    _line(
        "newsletter",
        25,
        r"click here (?:to|for)\b.*\b(?:newsletters?|sign[ -]?up|subscribe)\b.*",
        needs=("click here",),
    ),
    _line(
        "read_more",
        25,
        r"click here (?:to|for) (?:read|see|watch|more|the latest|the full)\b.*",
        needs=("click here",),
    ),
    _line(
        "media",
        14,
        r"media playback is (?:unsupported|not supported) on (?:your|this) device",
        r"your (?:browser|device) does not support (?:the )?(?:video|audio|this)\b.*",
        r"(?:this )?(?:video|content|media) (?:is )?(?:unavailable|not available"
        r"|can ?not be played)\b.*",
        r"(?:the )?video player is loading\b.*|replay|unmute|enlarge this (?:image|photo|picture)",
        r"(?:toggle|hide|show|expand) caption|buy photo|watch the (?:video|clip) (?:above|below)",
        r"(?:(?:photo|image|picture|slide|caption|item)s? )?\d{1,3} of \d{1,3}",
        r"(?:latest|related|recommended|featured|more|top|trending|watch) videos?",
        r"watch(?: now| live| again| the video| video| full video| more)?|(?:now )?playing",
        r"play(?:ing)? video|video(?: player| transcript)?|audio|photos|gallery|slideshow",
        r"listen(?: now| live| to (?:this|the) (?:article|story|podcast|episode))?",
        r"(?:\d+ )?min(?:ute)?s? (?:read|listen|watch)|duration:? \d+:\d+(?::\d+)?",
        r"\d{1,2}:\d{2}(?::\d{2})?|up next|click to play|tap to (?:play|unmute|expand)",
        r"(?:please )?enable javascript\b.*|in pictures|see all photos",
        r"view (?:the )?gallery(?: \(\d{1,3} (?:photos|images|pictures)\))?",
        r"loading(?:\.\.\.|…)?|this video is from\b.*",
        r"(?:watch|listen|video|audio)\s*[:|]\s*\S.*",
    ),
    _line(
        "read_more",
        30,
        r"(?:\(excerpt\)\s*)?(?:read|continue reading|keep reading|click here to read)\s+"
        r"(?:more|next|also|(?:the )?rest|the (?:full|whole|rest of the) (?:story|article|report)"
        r"|full (?:story|article))\b.*",
        r"(?:continue|keep) (?:reading )?(?:here |it )?(?:at|on|here)\b.{0,60}",
        r"read our\b.{0,80}\b(?:live blog|live coverage|latest|updates|full (?:story|interview"
        r"|coverage))\b.*",
        r"(?:see also|see related|also read|also see|read also|related|related (?:article|story"
        r"|link|content|coverage|reading|video)s?|more|more on (?:this|that)(?: story)?"
        r"|don'?t miss|must (?:read|watch|see)"
        r"|recommended(?: reading)?|editor'?s picks?|top story|trending|explore more"
        r"|now watch|go deeper|learn more|see more|read this next"
        r"|further reading|more from [\w .&'-]{1,40}|you (?:may|might) (?:also )?like)"
        r"\s*[:|»›>]\s*\S.*",
        r"\(\s*(?:related|see also|read more|also read|more)\s*:.*\)",
    ),
    _line(
        "newsletter",
        40,
        r"(?:sign(?:ing)?[ -]?up|subscribe|register|join|get|receive|enter"
        r"|thanks? (?:you )?for (?:signing up|subscribing)|want|never miss|don'?t miss"
        r"|stay (?:informed|up to date|updated|in the know)|be the first)\b"
        r"(?=.*\b(?:newsletters?|inbox|e-?mails?|mailing list|briefing|digest|alerts|updates"
        r"|bulletin)\b).*",
        r"(?:you can )?unsubscribe (?:at )?any ?time\b.*",
        # the call after a question: "Missing out on the latest? Sign up for ... in your inbox."
        r"[^?]{1,80}\?\s+(?:sign(?:ing)?[ -]?up|subscribe)\b"
        r"(?=.*\b(?:newsletters?|your inbox)\b).*",
        r"thanks? (?:you )?for (?:signing up|subscribing)\b.*",
        r"by (?:subscribing|signing up|clicking|entering your e-?mail)\b.*",
        r"(?:please )?(?:enter|provide) (?:a |your )?(?:valid )?e-?mail(?: address)?\b.*",
        r"invalid e-?mail(?: address)?.*|(?:free )?newsletters?|(?:[\w.&'-]+ ){1,3}newsletters?",
        r"sign[ -]?up(?: now| today| here| for free)?|subscribe(?: now| today| here| for free)?",
        r"join (?:our|the) (?:mailing )?list",
        r"subscribe to (?:our|the|[\w.-]+) [\w .,&'-]*(?:channel|newsletter|feed|rss|podcast"
        r"|youtube|telegram)\b.*",
        r"(?:we'?ll|we will) (?:never|not) (?:share|sell|spam)\b.*",
    ),
    _line(
        "share",
        15,
        rf"(?=.*\b(?:share|tweet|e-?mail|copy link|{_SOCIAL})\b)(?:(?:share|shares|shared|sharing"
        rf"|tweet|e-?mail|print|copy|link|copied|save|saved|bookmark|this|article|story|page|post"
        rf"|on|via|with|to|by|the|comments?|{_SOCIAL}|\d[\d,.]*k?)(?:\s+|\s*[|•·,/&-]\s*|$))+",
    ),
    _line(
        "share",
        40,
        r"(?:quickly |please |click (?:here )?to |don'?t forget to |feel free to )?share (?:this"
        r"|the|our) (?:article|story|news|post|page|video|link)\b.*",
        r"(?:please )?(?:like|follow|join|find|connect with|subscribe to) us (?:on|at|via|in)\b.*",
        rf".*\bfollow us on (?:{_SOCIAL}|google news)\b.*",
        needs=("share", " us "),
    ),
    _line(
        "share",
        30,
        rf"(?:click to (?:{_CLICK_TO_SHARE})(?: \(opens in (?:a )?new window\))?\s*)+",
        needs=("click to",),
    ),
    _line(
        "share",
        30,
        r"(?:join|follow|subscribe to|stay up[- ]to[- ]date|get|find|only verified information)\b"
        r".{0,80}\b(?:whatsapp|telegram|viber|youtube|signal) (?:channel|group|community)\b.*",
        needs=("channel", "group", "community"),
    ),
    _line(
        "photo_credit",
        20,
        r"(?:photo(?:graph|grapher|s)?|picture|pic|images?|img|credits?"
        r"|(?:photo|image|picture) (?:credit|source)|file (?:photo|image|picture)"
        r"|main (?:photo|image)|top image|featured image"
        r"|illustration|graphic|video credit)\s*[:|]\s*\S.*",
        r"image (?:source|copyright)\s*[,:]?\s*\S.*",
        # "Credit Jane Doe/Northwind", "(Jane Doe/The Northwind Post)", "Courtesy of the Board"
        r"credit\s+(?-i:[A-Z])[\w.'-]*(?:\s+(?-i:[A-Z])[\w.'-]*){1,3}\s*/\s*(?-i:[A-Z])"
        r"[\w.'& -]{1,40}",
        r"\((?-i:[A-Z])[\w.' -]{1,40}/\s*(?-i:[A-Z])[\w.'& -]{1,40}\)",
        r"courtesy(?: of)? (?:the )?(?-i:[A-Z])[\w.'& -]{1,60}",
        rf"(?:[\w.' -]{{1,40}}/\s*)?(?:{_AGENCY})(?:\s+via\s+getty images)?"
        rf"(?:\s*/\s*[\w.' -]{{1,40}})?",
        r".{0,60}\bfile (?:photo|image|picture)\s*:\s*\S.*",
    ),
    _line(
        "photo_credit",
        60,
        r"(?:image|media|video|photo|picture) caption\s*[,:]?\s*.*",
    ),
    _line(
        "copyright",
        60,
        r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4})|all rights reserved).*",
        r"this (?:material|article|content|story) (?:may|must) not be (?:published|reproduced"
        r"|redistributed|copied)\b.*",
    ),
    _line(
        "page_furniture",
        25,
        r"comments?|\d+ comments?|view (?:all )?comments|show comments|hide comments",
        r"leave a (?:comment|reply)|add (?:a|your) comment|post a comment",
        r"join the (?:conversation|discussion|debate)(?: about this (?:story|article|post))?"
        r"\s*[»›\"]?|comments? (?:are|have been) closed.*",
        r"already (?:a subscriber|subscribed|a member|registered|have an account)\?.{0,40}",
        r"our (?:standards|editorial (?:standards|guidelines)|ethics policy)\s*:.*",
        r"story highlights",
        r"(?:please )?let us know if you'?re having (?:issues|trouble|problems) with commenting",
        r"thank you for (?:sharing your thoughts|your feedback)\b.*|we appreciate your feedback",
        r"was this (?:article|story|page) (?:helpful|useful)\??",
        r"(?:we|this (?:site|website)) uses? cookies\b.*|(?:accept|reject)(?: all)? cookies",
        r"cookie (?:settings|policy|preferences)|manage (?:cookies|preferences|consent)",
        r"skip to (?:main )?(?:content|navigation)|(?:log|sign) ?in(?: to (?:comment|continue"
        r"|read))?|log ?out|menu|search|close|back to top",
        r"(?:tags?|topics?|categor(?:y|ies)|keywords)\s*:.*|filed under\s*:?.*",
        r"do you have a (?:story|news tip|tip|video|photo)(?: for [\w .'-]+)?\??",
        r"(?:e-?mail|call|contact|text|whatsapp) us (?:at|on)\b.*",
        r"we pay for your (?:stories|videos|pictures)!?",
        r"(?:got|have) an? (?:confidential |news )?(?:story|tip|news tip)"
        r"(?: for (?:us|our reporters|our newsroom))?\?.*",
        r"contact us|report (?:an error|a correction|a typo)|corrections?(?: policy)?",
        r"share your (?:experiences?|thoughts|feedback|views|story|stories|comments"
        r"|suggestions)\b.*",
        r"(?:\w{3,9},? )?(?:\d{1,2} \w{3,9}\.?,? \d{4}|\w{3,9}\.? \d{1,2},? \d{4}),? (?:at )?"
        r"\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?(?: [A-Z]{2,4}(?:[+-]\d{1,2})?)?",
        r"print(?: this (?:article|page|story))?",
        r"(?:updated|published|last (?:updated|modified)|first published|created|modified)"
        r"(?: on| at)?\s*:?\s*(?:\d{1,2}[:/.]\d"
        r"|\d{1,2} \w+ \d{4}|\w+ \d{1,2},? \d{4}|\d{4}-\d{2}-\d{2})[\w\s:,./+-]{0,30}",
    ),
    _line(
        "embed",
        30,
        r"(?:pic\.twitter\.com/\w+|https?://t\.co/\w+)(?:\s+(?:pic\.twitter\.com/\w+"
        r"|https?://t\.co/\w+))*",
        r"[—–-]\s*[^()\n]{1,60}\(@\w{1,15}\)\s+\w+ \d{1,2}, \d{4}",
    ),
    _line("related_marker", 8, *_RELATED_MARKER),
    _line(
        "author_bio",
        8,
        r"about the (?:author|writer)s?|author bio|more (?:articles|stories) (?:by|from) this"
        r" (?:author|writer)",
    ),
    _line("author_bio", 80, r".*(?:\.\.\.|…)\s*read more", needs=("read more",)),
    _line(
        "author_bio",
        80,
        r".*\b(?:e-?mail|contact|reach|write to) (?:him|her|them|the author|me) (?:at|on|via)\s+"
        r"\S+@\S+.*",
        needs=("@",),
    ),
    # A date alone on its line: the page's stamp, not a sentence of the body.
    _line(
        "page_furniture",
        5,
        r"(?:\w{3,9},? )?(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
        r"|\d{1,2}\.? [a-zé]{3,9}\.? \d{4}|[a-z]{3,9}\.? \d{1,2},? \d{4})",
        needs=DIGITS,
    ),
    # "Showing 1 to 10 of 19": a list's pagination.
    _line(
        "page_furniture",
        15,
        r"(?:showing|displaying|results|es werden(?: die)? \w+|zeige|mostrando|affichage)"
        r" \d+ ?(?:to|bis|-|–|a|à) ?\d+ (?:of|von|de|sur)(?: insgesamt)? \d+\b.*",
        needs=DIGITS,
    ),
    # A placeholder for an embed the reader has not consented to yet.
    _line(
        "page_furniture",
        30,
        r"(?:click|klicken sie|klicke|haga clic|cliquez)\b.{0,80}\b(?:to load|um .{1,80} zu laden"
        r"|load the (?:content|video|map))\b.*",
        needs=("load", "laden"),
    ),
    # A call to comment: "Let us know in the comments", "Verraten Sie es uns in den Kommentaren".
    _line(
        "page_furniture",
        30,
        r"(?:let us know|tell us|share your thoughts|verraten sie|verrate|schreibt|schreiben sie"
        r"|erzählt|erzählen sie)\b.{0,80}\bin (?:the|den) (?:comments|kommentaren)\b.*",
        needs=("comment", "kommentar"),
    ),
    # A link set between arrows: ">> Another story's headline <<".
    _line("read_more", 30, r">{2,3}\s*\S.{0,200}?<{2,3}", needs=(">>",)),
    # "Photo by Jane Doe/Northwind": short, and no sentence ("Photographs by Sam Reed sold...").
    _line(
        "photo_credit",
        10,
        r"(?:photo|picture|image|photo illustration|illustration|graphic)"
        r" (?:by|courtesy(?: of)?)\s+(?-i:[A-Z])[^.!?]*",
        needs=(" by", "courtesy"),
    ),
    # A post's fields on one line: "Posted: 4 March 2026 Category: Harbour news".
    _line(
        "page_furniture",
        16,
        r"(?:(?:(?:news |publication |release )?date|posted(?: on| by)?|published(?: on)?"
        r"|updated|category|categories|tags?|topics?|author|section|filed under)\s*:\s*"
        r"[^:\n]{1,60}?\s*){2,}",
        needs=(":",),
    ),
    # A page's help for its own button: "With this button you can add the episode to...".
    _line(
        "page_furniture",
        40,
        r"(?:with|using|use|click|press|tap|mit|über|avec|con) (?:this|diesem|dieser|ce|este"
        r"|questo) (?:button|schaltfläche|bouton|botón|pulsante)\b.*",
        needs=("button", "schaltfläche", "bouton", "botón", "pulsante"),
    ),
    # A picture's alternative text naming a logo: "Logo of the Harbour Awards".
    _line("photo_credit", 20, r"logo (?:of|des|der|von|de|del|du|di)\b.*", needs=("logo",)),
    # "Copyright: Jane Doe" under a picture.
    _line("photo_credit", 8, r"(?:copyright|©)\s*:\s*\S.*", needs=("copyright", "©")),
    # A figure's caption: "Figure 3: ...", "Abbildung 4: ...".
    _line(
        "photo_credit",
        40,
        r"(?:figure|fig\.|abbildung|abb\.|grafik|gráfico|figura|illustration) ?\d{1,3}[a-z]?"
        r"\s*:\s*\S.*",
        needs=("fig", "abb", "grafik", "gráfico", "illustration"),
    ),
    # A shop's button or call: "Add to basket", "Like it? Add the ingredients to your cart".
    _line(
        "advertisement",
        30,
        r"(?:[^?\n]{1,40}\?\s+)?add (?:[\w'-]+ ){0,4}to (?:your |the )?(?:shopping )?"
        r"(?:basket|cart|bag|wish ?list)\b.*",
        r"(?:jetzt )?(?:in den )?warenkorb(?: legen)?",
        needs=("add", "warenkorb"),
    ),
    # Affiliate and advertiser disclosures.
    _line(
        "advertisement",
        60,
        r".*\baffiliate[- ](?:links?|partner\w*|programs?|commissions?)\b.*",
        r".*\b(?:we|i) (?:may )?(?:receive|earn|get) (?:a )?(?:small )?(?:compensation"
        r"|commission)\b.*",
        needs=("affiliate", "compensation", "commission"),
    ),
    # Appeals: to support the site, to subscribe, to become a member.
    _line(
        "appeal",
        40,
        r"(?:would you |please )?consider (?:supporting|donating to|a donation to) (?:us|our)\b.*",
        r"if you (?:enjoyed|liked|like|enjoy|value) (?:reading )?(?:this|our) (?:post|article"
        r"|story|content|work|journalism)\b.*",
        r"(?:please )?support (?:us|our (?:work|journalism)|independent journalism)\b.*",
        r".*\bcancel (?:at )?any ?time\b.*",
        r"(?:subscribe|sign up|start|try|get)(?: now| today)?(?: (?:for|to get))?"
        r" (?:unlimited |full |digital )+access\b.*",
        needs=("consider", "if you", "support", "cancel", "access"),
    ),
    _line("newsletter", 20, r".*\bsign up (?:here|now|today)[.!]?", needs=("sign up",)),
    # A page's relative stamp: "Published 3 hours ago".
    _line(
        "page_furniture",
        8,
        r"(?:(?:published|updated|posted|last updated)\s*:?\s*)?(?:about |less than )?"
        r"(?:an?|\d{1,3}) (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?) ago",
        needs=(" ago",),
    ),
    # A call to install the outlet's app.
    _line(
        "appeal",
        20,
        r"(?:download|get|install|try) (?:the|our)(?: free)? (?:[\w.&'-]+ ){0,4}app"
        r"(?: (?:for|to|now|today|on|from|and)\b.*)?",
        needs=("app",),
    ),
    # How to reach or follow the author: "Write to Jane Doe at jane@...", "Follow Jane on X".
    _line(
        "author_bio",
        20,
        r"(?:write to|e-?mail|contact|reach) (?-i:[A-Z])[\w.'-]*(?: (?-i:[A-Z])[\w.'-]*){1,3}"
        r" at \S+@\S+(?:,? and [\w .'-]{1,40} at \S+@\S+)*",
        needs=("@",),
    ),
    _line(
        "author_bio",
        15,
        rf"follow [\w .'-]{{1,40}} on (?:{_SOCIAL}|google news)(?:\s*:?\s*@\w{{1,30}})?",
        needs=("follow",),
    ),
    # The same kinds in the other languages news pages come in.
    *(
        _line(rule, max_words, *alternatives, needs=needs)
        for rule, max_words, alternatives, needs in languages.LINE_RULES
    ),
)

#: A line that opens a trailing block of other stories' headlines (or of tags, sources).
TRAILING_MARKER = re.compile(
    "|".join(f"(?:{alt})" for alt in _RELATED_MARKER)
    + r"|(?:tags?|topics?|filed under|categories|keywords|sources?(?: for this article)?"
    r"(?: include)?|references|share this(?: article| story)?)\s*:?"
    + r"|similar posts|related (?:posts|articles|stories)|more stories|you may also like"
    + f"|{languages.TRAILING_MARKER.pattern}",
    _I,
)

#: A biography line, recognised only among an article's last lines (in the body it is news).
TRAILING_BIO = re.compile(
    r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}\s+is\s+(?:an?\s+|the\s+)?(?:[\w'-]+\s+){0,6}"
    r"(?:reporter|correspondent|writer|editor|journalist|columnist|contributor|commentator"
    r"|analyst|presenter)\b.*"
)

#: Furniture inside a line: removed as a span, the rest of the line stays.
SPAN_RULES: tuple[SpanRule, ...] = (
    # Cards of other stories' headlines injected into a paragraph, up to their share button.
    SpanRule(
        "related_card",
        re.compile(
            r"\s*\bRELATED ARTICLES\b(?:\s+(?:Previous|Next|\d+))*\s.{1,800}?\bShare this article"
            r"\b(?:\s+Share\b)?(?:\s+\d[\d,.]*k?\s+shares?\b)?",
            _I,
        ),
        ("related articles",),
        max_words=150,
    ),
    SpanRule("related_card", re.compile(r"\s*\bRead More Related Articles\b", _I), ("read more",)),
    # A link set in parentheses and marked with arrows: "(What the pier will cost >>>)".
    SpanRule("read_more", re.compile(r"\s*\([^()\n]{3,120}?\s*>{2,3}\s*\)"), (">>",)),
    # An upper-case card label and its headline ending a paragraph.
    SpanRule(
        "related_card",
        re.compile(
            r"(?<=[.!?\"'])\s+(?:READ MORE|RELATED|SEE ALSO|ALSO READ|READ NEXT|MORE|NOW WATCH"
            r"|WATCH|LISTEN|DON'T MISS|GO DEEPER)"
            r"\s*:\s+[^\n]{1,200}(?<!\.)$"
        ),
        (
            *("read more", "related", "see also", "also read", "read next", "more:", "watch"),
            *("listen", "don't miss", "go deeper"),
        ),
        max_words=25,
    ),
    SpanRule(
        "photo_credit",
        re.compile(
            r"\s*[(\[]\s*(?:photo(?:graph)?|image|picture|pic|credit|file photo)s?\b(?:\s+(?:by"
            r"|credit|courtesy(?: of)?)|\s*:)\s*[^()\[\]]{1,120}[)\]]",
            _I,
        ),
        ("(photo", "(image", "(picture", "(pic", "(credit", "(file photo", "[photo", "[image"),
        max_words=25,
    ),
    SpanRule(
        "copyright",
        re.compile(r"(?<=\S)\s+(?:©|\bcopyright\s+©?\s*(?=\d{4}\b)).{0,500}$", _I),
        ("©", "copyright"),
    ),
    SpanRule(
        "embed",
        re.compile(r"\s*(?:pic\.twitter\.com/\w+|https?://t\.co/\w+)", _I),
        ("pic.twitter.com", "t.co/"),
    ),
    # What a video player leaves in the text: its placeholder, its box ("JUST WATCHED <title>
    # Replay More Videos ... MUST WATCH <title> 01:22"), a gallery's slides ("Photos: <title>
    # <caption> Hide Caption 3 of 12", one after another).
    _anycase(
        "media",
        r"\s*\bmedia playback is (?:unsupported|not supported) on (?:your|this) device\b\.?",
        ("media playback",),
        10,
    ),
    _capitals(
        "media",
        r"\s*\bJUST WATCHED\b.{1,400}?\bMUST WATCH\b(?:.{1,200}?\b\d{1,2}:\d{2}\b)?",
        ("JUST WATCHED",),
        100,
    ),
    _anycase(
        "media",
        r"\s*(?:\bPhotos?:\s.{0,600}?)?\bHide Caption \d{1,3} of \d{1,3}\b",
        ("hide caption",),
        120,
    ),
    # A picture's buttons and its credit, which the page repeats ("Enlarge this image toggle
    # caption Jane Doe/AP Jane Doe/AP The mayor said"): up to the credit's second copy.
    _anycase(
        "media",
        r"\s*(?:\bEnlarge this (?:image|photo)\b\s*)?\b(?:toggle|hide|show) caption\b"
        r"(?:\s+(\S[^\n]{0,80}?)\s+\1(?=\s|$))?|\s*\bEnlarge this (?:image|photo)\b",
        ("toggle caption", "hide caption", "show caption", "enlarge this"),
        40,
    ),
    # A share or listen bar glued to a paragraph ("LISTEN TO ARTICLE 6:52 SHARE THIS ARTICLE
    # Share Tweet Post Email The Fed said..."), and the link line after the last paragraph.
    _anycase(
        "share",
        r"\s*\b(?:Read|Share) or (?:Read|Share) this (?:story|article)\s*:\s*\S+",
        ("this story:", "this article:"),
        12,
    ),
    _capitals(
        "share",
        r"\s*\bLISTEN TO (?:THIS )?(?:ARTICLE|STORY)\b(?:\s+\d{1,2}:\d{2}\b)?",
        ("LISTEN TO",),
        8,
    ),
    _capitals(
        "share",
        r"\s*\b(?:SHARE THIS (?:ARTICLE|STORY)|Share this (?:article|story))"
        rf"(?:\s+{_SHARE_WORD})*|\s*\b{_SHARE_WORD}(?:\s+{_SHARE_WORD}){{2,}}\b",
        ("SHARE THIS", "Share this", "Share ", "Tweet ", "Email "),
        20,
    ),
    # Related-link hover cards, flattened into the sentence: the linked name, then the card
    # glued to it (the full name, glued to a headline) up to its "MORE" button, as in "Sen.
    # Jane DoeJane Q. DoeDoe backs ferry bill MORE (D-Calif.) said". The card starts at a
    # capital glued to a small letter, but not inside a name that has one ("McKay", "DeSantis").
    _capitals(
        "related_card",
        rf"(?<=[a-z]){_NAME_INSIDE}[A-Z][a-z'-]+(?: \(?[A-Z][\w'.)-]*){{0,5}}?[a-z](?=[A-Z])"
        r"[^\n]{1,400}?"
        r"\bMORE\b(?! ?[A-Z]{2})",
        ("MORE",),
        70,
    ),
    # A newsletter or app call in capitals, up to the next word in small letters.
    _capitals(
        "newsletter",
        r"\s*\b(?:CLICK HERE|SIGN UP)\b(?:[^a-z\n]{0,200}?)(?:NEWSLETTER|APP|HERE)\b"
        r"(?:\s+(?:HERE|NOW|TODAY|FOR FREE)\b)?[^a-z\s]*",
        ("CLICK HERE", "SIGN UP"),
        30,
    ),
    # Any other call in capitals after a sentence, up to a site's name in capitals or the
    # end of the line ("CLICK HERE FOR MORE HARBOUR COVERAGE ON NORTHWIND.COM"): where else
    # it ends is unknown, and the next sentence may start with a word in capitals.
    _capitals(
        "read_more",
        r"(?<=[.!?\"'])\s+CLICK HERE\b[^a-z\n]{1,200}?(?:\b[A-Z0-9-]+\.(?:COM|NET|ORG)\b[^a-z\s]*"
        r"|(?=\s*$))",
        ("CLICK HERE",),
        30,
    ),
    # A gallery's button left beside a credit: "(Photo: Jane Doe, Northwind) Buy Photo".
    _capitals("media", r"\s*\bBuy Photo\b", ("Buy Photo",), 60),
    # Photographer credits set in the text: "Photographer: Jane Doe/Bloomberg".
    _capitals(
        "photo_credit",
        r"\s*\b(?:Photographer|Photograph|Photo|Picture|Image)(?: credit)?:\s+"
        rf"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){{0,3}}\s*/\s*(?:{_AGENCY_CAPS}"
        r"|[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){1,3}(?=\s*$)|[A-Z][\w&.'-]*)"
        r"(?:\s+via\s+Getty Images)?",
        ("Photographer:", "Photograph:", "Photo:", "Picture:", "Image:"),
        14,
    ),
    # "Read More <another story's headline>" after a paragraph's last sentence.
    _capitals(
        "related_card",
        r"(?<=[.!?\"'])\s+Read More\s+(?=[A-Z\"'])[^\n]{1,200}(?<!\.)$",
        ("Read More",),
        30,
    ),
)

#: Rules whose short heading line just above them belongs to the same box.
HEADED_RULES = frozenset({"newsletter"})
#: The longest line a heading of such a box can be.
MAX_HEADING_WORDS = 6
#: A headline in a trailing list is short; a longer line is body text we must keep.
MAX_HEADLINE_WORDS = 20
#: How many of an article's last lines may be an author's biography.
BIO_LINES = 2
