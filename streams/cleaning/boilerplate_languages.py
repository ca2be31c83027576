"""The kinds of furniture of `boilerplate`, as pages in German, Spanish, French, Italian and
Portuguese write them. Pure data.

Trafilatura leaves the same furniture in every language: a "read also" marker with the
headline it links, a heading over other stories, share, comment and category lines, photo
credits, update stamps, ad and affiliate disclosures, login, newsletter and paywall
prompts, contact lines. Each pattern is a kind, with the words the languages use for it,
never one site's sentence; like the English rules, each must match a whole short line,
and a line that merely starts with such a word ("Werbung im Internet wächst ...") stays.
"""

from __future__ import annotations

import re

#: "Read also" and "see also" markers, before the headline they link.
READ_ALSO = (
    r"lea(?: también| tambien| más| mas| además| ademas)?|lee (?:también|tambien)|vea(?: también"
    r"| tambien)?|mire|mira|puedes ver|(?:también )?(?:le|te) puede interesar|ver (?:también|más)"
    r"|lesen sie (?:auch|hier|mehr|weiter)|auch lesen|lies auch|siehe auch|mehr dazu"
    r"|zum weiterlesen"
    r"|à lire aussi|a lire aussi|lire aussi|lire également|voir aussi|à voir aussi|leggi anche"
    r"|vedi anche|leia (?:também|tambem|mais)|veja (?:também|tambem|mais)|saiba mais"
)
#: A heading over a list of other stories (the kind of `related_marker`).
OTHER_STORIES = (
    r"(?:auch|ebenfalls|das ist) interessant|schon gelesen|(?:das|dieses) (?:thema|könnte)"
    r"(?: \w+){0,2} (?:sie|dich) (?:auch )?interessieren|(?:das )?könnte (?:sie|dich) (?:auch )?"
    r"interessieren|(?:weitere|ähnliche|verwandte|empfohlene|beliebte|meistgelesene"
    r"|kommentierte|passende|neueste|aktuelle)(?: \w+){0,3} (?:artikel|beiträge|themen"
    r"|nachrichten|meldungen|storys|stories|news|videos)(?: (?:zum thema|aus|von|auf|der|des|in)"
    r"\b.{0,40})?|weitere themen|mehr (?:zum thema|von|aus|artikel|news)\b.{0,40}"
    r"|(?:contenido|contenidos|notas|noticias|artículos|articulos|temas) relacionad[oa]s?"
    r"|lesen sie auch\b.{0,40}|lust auf mehr|(?:vorschau auf den )?nächste[nr]? (?:artikel|beitrag)"
    r"|más (?:sobre|noticias|de)\b.{0,40}|lo más (?:leído|visto)|te recomendamos"
    r"|(?:articles?|sujets?) (?:similaires|liés|associés|recommandés)|sur le même sujet"
    r"|(?:à|a) lire (?:aussi|également)|les plus lus|articoli correlati|notizie correlate"
    r"|potrebbe interessarti|(?:notícias|matérias) relacionadas|mais lidas"
)
_SHARE = (
    r"(?:jetzt |artikel |beitrag |seite )?teilen(?: mit| auf| via)?|compart(?:ir|e|elo)(?: en)?"
    r"|partage[rz]?(?: sur)?|condividi(?: su)?|compartilh(?:e|ar)(?: no)?"
)
_COMMENTS = (
    r"(?:\d+ )?(?:kommentare?|kommentieren|comentarios?|comentar|commentaires?|commenter"
    r"|commenti|commenta|comentários?)|keine kommentare\b.*|kommentare insgesamt\b.*"
    r"|sin comentarios|aucun commentaire|nessun commento|sem comentários"
    r"|(?:kommentar|kommentare) (?:schreiben|verfassen|anzeigen|ausblenden)"
    r"|deja (?:un|tu) comentario|laisser un commentaire|lascia un commento"
    r"|deixe (?:um|seu) comentário"
)
_CATEGORIES = (
    r"(?:kategorien?|rubriken?|schlagw(?:orte?|örter)|stichw(?:orte?|örter)|themen|temas?"
    r"|etiquetas?|categor[ií]as?|étiquettes?|catégories?|mots-clés|argomenti|categorie"
    r"|categorias?|assuntos?)(?:\s*:.*)?"
)
_CREDITS = (
    r"(?:fotos?|bild(?:er|quelle|nachweis)?|quellen?(?:angaben?)?|titelbild|beitragsbild"
    r"|headerbild|vorschaubild|cr[ée]dits?(?: photos?)?|imagen(?:es)?|fuentes?|fotografía"
    r"|créditos?|image illustrative|illustration|fonte|immagine)\s*:\s*\S.*"
)
_UPDATED = (
    r"(?:zuletzt )?(?:aktualisiert|geändert|veröffentlicht|erstellt)(?: am)?|letzte"
    r" (?:änderung|aktualisierung)|stand|actualizado(?: el)?|publicado(?: el| em)?|mis à jour"
    r"(?: le)?|publié(?: le)?|modifié(?: le)?|aggiornato(?: il)?|pubblicato(?: il)?"
    r"|atualizado(?: em)?"
)
# A date as these languages write it: 17.01.2021, 2. Februar 2022, 2022-02-02.
_DATE = r"(?:\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}|\d{1,2}\.? \w+ \d{4}|\d{4}-\d{2}-\d{2})"
_AD = r"anzeige|werbung|publicidad|publicité|pubblicità|publicidade|gesponsert|sponsorisé"
_LOGIN = r"eingeloggt|angemeldet|registriert|einloggen|anmelden|registrieren"

#: (rule, max_words, alternatives, needs) for `boilerplate._line`; `needs` spares long lines.
LINE_RULES: tuple[tuple[str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("read_more", 30, (rf"(?:{READ_ALSO})\s*[:»›>|-]\s*\S.*", r"(?:à|a) lire aussi\b.*"), ()),
    ("related_marker", 10, (OTHER_STORIES, READ_ALSO), ()),
    ("share", 6, (_SHARE,), ()),
    (
        "page_furniture",
        12,
        (
            _COMMENTS,
            _CATEGORIES,
            rf"(?:{_UPDATED})\s*:?\s*{_DATE}[\w\s:,./|-]{{0,30}}",
            r"inhaltsverzeichnis|inhalt|índice|sommaire|table des matières|indice|sumário",
            r"wird geladen|cargando|chargement|caricamento|carregando",
            r"bewerten|bewertung(?:en)?|artikel bewerten|valorar|valoración|noter cet article",
            r"weitere (?:informationen|infos)\b[^.]{0,80}:|von\s*:\s*\S.{0,60}",
            r"(?:kontakt|pressekontakt|contacto|contatto|contato|ansprechpartner(?:in)?"
            r"(?: zum thema)?)\s*:?",
            r"(?:telefon|tel|fon|fax|teléfono|téléphone|telefono)\.?\s*:?\s*[+\d(][\d\s()/+.-]{5,}",
        ),
        (),
    ),
    (
        "page_furniture",
        30,
        (
            rf"(?:sie sind|du bist) (?:aktuell |derzeit |noch )?nicht (?:{_LOGIN})\b.*",
            rf".*\bkomment\w*\b.*\b(?:{_LOGIN}|login)\b.*",
            rf".*\b(?:{_LOGIN})\b.*\bkomment\w*\b.*",
            r".*\b(?:iniciar sesión|inicia sesión|regístrate|connectez-vous|identifiez-vous)\b.*"
            r"\b(?:comentar|comentario|commenter|commentaire)\w*\b.*",
        ),
        ("komment", "coment", "comment", "eingeloggt", "angemeldet"),
    ),
    ("photo_credit", 15, (_CREDITS, _CREDITS.removesuffix(r"\s*:\s*\S.*") + r"\s*:"), ()),
    (
        "read_more",
        25,
        (r"weitere (?:informationen|infos) (?:unter|auf|bei|finden sie|gibt es)\b.*",),
        ("weitere info",),
    ),
    (
        "advertisement",
        20,
        (rf"(?:{_AD})(?:\s*[-:,.|*]\s*.*)?",),
        (),
    ),
    (
        "newsletter",
        20,
        (
            r"(?:zum |für den |unseren |den )?newsletter(?: \w+){0,3} (?:anmelden|abonnieren"
            r"|bestellen)\b.*",
            r"(?:jetzt )?(?:für den newsletter )?(?:anmelden|abonnieren|registrieren)",
            r"suscr[ií]bete\b.*|(?:abonnez|inscrivez)-vous\b.*|iscriviti\b.*|assine\b.*",
            r"(?:hazte|hágase|sé) (?:miembro|socio|suscriptor)\b.*",
        ),
        (),
    ),
    (
        "advertisement",
        14,
        (
            r"pour (?:lire|accéder à) la suite\b.*|pour (?:lire|accéder) en illimité\b.*",
            r"pour continuer (?:à lire|la lecture)\b.*",
            r"(?:jetzt )?weiterlesen mit\b.*|(?:seguir|sigue|continuar) leyendo\b.*",
            r"continuer (?:la|votre) lecture\b.*|continua a leggere\b.*|continue lendo\b.*",
        ),
        (),
    ),
    (
        "copyright",
        30,
        (
            r"(?:.*\b)?(?:alle rechte vorbehalten|todos los derechos reservados|tous droits"
            r" réservés|tutti i diritti riservati|todos os direitos reservados)\b.*",
            r"vervielfältigung\b.*\bgenehmigung\b.*",
        ),
        # Without these the first pattern's leading `.*` is tried at every word of every
        # short line. Needles without "i" or "s": the patterns' IGNORECASE also matches
        # "İ", "ı" and "ſ", which lower() leaves as they are, so these hold wherever they do.
        ("vorbehalten", "todo", "ervé", "tutt", "genehm"),
    ),
    (
        "media",
        8,
        (
            r"escuch(?:a|ar) (?:esta|la) (?:nota|noticia)(?: aquí)?|(?:artikel|beitrag)"
            r" (?:anhören|vorlesen(?: lassen)?)|écouter (?:cet|l')article|ascolta"
            r" (?:l'articolo|questo articolo)|ouvir (?:a |esta )?(?:notícia|matéria)",
        ),
        ("escuch", "anhören", "vorlesen", "écouter", "ascolta", "ouvir"),
    ),
    (
        "read_more",
        15,
        (r"(?:\.\.\.|…)\s*weiter (?:zu|mit)\b.*",),
        ("weiter",),
    ),
    (
        "read_more",
        25,
        (r"weitere (?:informationen|infos) \w+ (?:unter|auf|bei|finden sie|gibt es)\b.*",),
        ("weitere info",),
    ),
    (
        "related_marker",
        5,
        (r"(?:entdecke|entdecken sie|découvrez) (?:weitere|mehr|plus)\b.*",),
        ("entdeck", "découvrez"),
    ),
    (
        "share",
        30,
        (
            r".*\b(?:nuestro|nuestra|unser(?:en|em)?|notre|nosso) (?:canal|kanal|chaîne)"
            r" (?:de |en |sur |no )?(?:youtube|telegram|whatsapp)\b.*",
            r".*\b(?:youtube|telegram|whatsapp)-kanal\b.*",
            r".*\bcanal de (?:telegram|whatsapp)\b.*",
        ),
        ("youtube", "telegram", "whatsapp"),
    ),
    (
        "newsletter",
        40,
        (
            r".*\bsuscr[ií]b\w*\b.*\b(?:newsletter|boletín|boletin)\b.*",
            r".*\b(?:unseren?|unserem) newsletter\b.*",
        ),
        ("newsletter", "boletín", "boletin"),
    ),
    (
        "appeal",
        60,
        (
            r".*\b(?:jederzeit kündbar|cancela cuando quieras|résiliable à tout moment"
            r"|disdici quando vuoi|cancele quando quiser)\b.*",
            r"unterstütze(?:n sie)? (?:uns|unsere arbeit|\w+)(?: \w+){0,3} (?:mit|ab) \d.*",
            r"(?:gefällt|gefiel) (?:dir|ihnen|euch) (?:unser|unsere|dieser|diese) \w+\?.*",
        ),
        (
            "kündbar",
            "cancela",
            "résiliable",
            "disdici",
            "cancele",
            "unterstütz",
            "gefällt",
            "gefiel",
        ),
    ),
    (
        "page_furniture",
        8,
        (r"[\w .'-]{2,40} \d{1,4}[a-z]?, (?:d-)?\d{5} [\w .'-]{2,40}",),
        tuple("0123456789"),
    ),
    (
        "copyright",
        40,
        (
            r"(?:.*\b)?(?:unless otherwise (?:noted|stated|indicated)|sofern nicht anders"
            r" (?:angegeben|ausgewiesen|vermerkt|gekennzeichnet))\b.*\b(?:licen[cs]ed?|lizenz\w*"
            r"|cc[- ]by\S*|creative commons)\b.*",
        ),
        ("unless otherwise", "sofern nicht anders"),
    ),
)
#: What opens a trailing block of other stories' headlines, in these languages.
TRAILING_MARKER = re.compile(rf"(?:{OTHER_STORIES}|{READ_ALSO})\s*:?", re.IGNORECASE)
