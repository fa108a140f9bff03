"""Practices in German as municipalities write them, made from the programme's vocabulary.

Every Handlungsfeld has its own formats, subjects and goals, so that the words of a practice
fit its topics and a search with a topic filter finds what a person would expect. The
generator is seeded: a run makes the same texts every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# The Handlungsfelder of the forum (austausch's first migration) with what practices on them are about.
FIELDS: dict[str, dict[str, list[str]]] = {
    "wohnen": {
        "formats": ["Wohnberatung", "Wohnungstauschbörse", "Wohnraumbörse", "Wohnprojekt", "Mietwohnungsprogramm"],
        "subjects": [
            "generationengerechtes Wohnen",
            "barrierearme Wohnungen",
            "gemeinschaftliches Wohnen",
            "bezahlbaren Wohnraum",
            "Wohnen im Alter",
        ],
        "goals": [
            "den Umzug in eine passende Wohnung erleichtern",
            "Leerstand in Wohnraum verwandeln",
            "jungen Familien Wohnraum im Ort bieten",
        ],
    },
    "leerstand": {
        "formats": ["Leerstandskataster", "Flächenmanagement", "Zwischennutzung", "Ladenlokal-Agentur"],
        "subjects": ["leerstehende Ladenlokale", "Innenentwicklung", "Brachflächen", "Baulücken im Ortskern"],
        "goals": [
            "den Ortskern beleben",
            "Flächenverbrauch am Ortsrand vermeiden",
            "Eigentümerinnen und Eigentümer früh ansprechen",
        ],
    },
    "wohnumfeld": {
        "formats": ["Dorfmoderation", "Ortsmittenkonzept", "Quartiersspaziergang", "Platzgestaltung"],
        "subjects": [
            "eine lebendige Ortsmitte",
            "Treffpunkte im öffentlichen Raum",
            "barrierefreie Wege",
            "Grünflächen im Quartier",
        ],
        "goals": ["Aufenthaltsqualität schaffen", "Begegnung im Ortskern ermöglichen"],
    },
    "gesundheit-pflege": {
        "formats": [
            "Gesundheitskiosk",
            "Pflegestützpunkt",
            "Gemeindeschwester",
            "Pflegestammtisch",
            "Telemedizin-Sprechstunde",
        ],
        "subjects": [
            "die hausärztliche Versorgung",
            "pflegende Angehörige",
            "Prävention im Alltag",
            "die Pflege zu Hause",
        ],
        "goals": [
            "die Versorgung auf dem Land sichern",
            "pflegende Angehörige entlasten",
            "Wege zur Beratung verkürzen",
        ],
    },
    "leben-im-alter": {
        "formats": ["Seniorenbegleitung", "Seniorentreff", "Mittagstisch", "Besuchsdienst", "Seniorenbeirat"],
        "subjects": [
            "ältere Menschen",
            "Einsamkeit im Alter",
            "selbstbestimmtes Leben im Alter",
            "Teilhabe hochbetagter Menschen",
        ],
        "goals": ["Einsamkeit vorbeugen", "ein selbstständiges Leben zu Hause ermöglichen"],
    },
    "begegnung": {
        "formats": [
            "Nachbarschaftsbörse",
            "Nachbarschaftshilfe",
            "Dorfgemeinschaftshaus",
            "Begegnungscafé",
            "Mehrgenerationenhaus",
            "Reparaturcafé",
        ],
        "subjects": ["Nachbarschaft", "Begegnung der Generationen", "Selbsthilfe", "Beratung vor Ort"],
        "goals": ["Nachbarinnen und Nachbarn zusammenbringen", "Hilfe im Alltag vermitteln"],
    },
    "kinder-jugend-familie": {
        "formats": ["Jugendparlament", "Familienzentrum", "Jugendtreff", "Ferienprogramm", "Familienbüro"],
        "subjects": [
            "Kinder und Jugendliche",
            "junge Familien",
            "Vereinbarkeit von Familie und Beruf",
            "Jugendbeteiligung",
        ],
        "goals": ["junge Menschen im Ort halten", "Familien den Alltag erleichtern"],
    },
    "bildung": {
        "formats": ["Bildungslandschaft", "Lernwerkstatt", "Volkshochschulkurs", "Lesepatenschaft"],
        "subjects": ["lebenslanges Lernen", "digitale Bildung", "Bildung vor Ort", "Sprachförderung"],
        "goals": ["Bildungswege im ländlichen Raum sichern", "Lernorte für alle Generationen öffnen"],
    },
    "kultur-freizeit": {
        "formats": ["Kulturscheune", "Dorffest", "Vereinsbörse", "Kulturkalender", "Sommerkino"],
        "subjects": ["das kulturelle Leben", "Vereine", "Freizeitangebote", "Heimatgeschichte"],
        "goals": ["das Vereinsleben stärken", "kulturelle Angebote sichtbar machen"],
    },
    "mobilitaet": {
        "formats": ["Bürgerbus", "Mitfahrbank", "Rufbus", "Carsharing", "Dorfauto", "Radverkehrskonzept"],
        "subjects": [
            "Mobilität auf dem Land",
            "den öffentlichen Nahverkehr",
            "Wege zum Arzt",
            "Mobilität ohne eigenes Auto",
        ],
        "goals": ["Orte ohne Busanbindung erreichbar machen", "älteren Menschen Wege ermöglichen"],
    },
    "kooperation": {
        "formats": ["interkommunale Zusammenarbeit", "Zweckverband", "gemeinsames Bauamt", "Kooperationsvertrag"],
        "subjects": [
            "die Zusammenarbeit der Gemeinden",
            "gemeinsame Verwaltungsaufgaben",
            "Kooperation über Kreisgrenzen",
        ],
        "goals": ["Aufgaben gemeinsam effizienter erledigen", "Kosten teilen"],
    },
    "nahversorgung": {
        "formats": ["Dorfladen", "Genossenschaftsladen", "mobiler Markt", "Hofladen-Netzwerk", "Lieferdienst"],
        "subjects": ["die Nahversorgung", "regionale Lebensmittel", "Einkaufen im Ort"],
        "goals": ["die Versorgung im Dorf sichern", "regionale Erzeuger stärken"],
    },
    "arbeit-wirtschaft": {
        "formats": ["Gründerzentrum", "Coworking-Space", "Wirtschaftsstammtisch", "Unternehmensnetzwerk"],
        "subjects": ["die lokale Wirtschaft", "Arbeitsplätze vor Ort", "Gründungen im ländlichen Raum"],
        "goals": ["Arbeitsplätze in der Region halten", "Pendelwege verkürzen"],
    },
    "fachkraefte": {
        "formats": ["Fachkräfteallianz", "Willkommensagentur", "Ausbildungsmesse", "Rückkehrerinitiative"],
        "subjects": ["Fachkräftesicherung", "Ausbildung im Handwerk", "Rückkehrerinnen und Rückkehrer"],
        "goals": ["Fachkräfte gewinnen und halten", "Ausbildungsplätze besetzen"],
    },
    "digitalisierung": {
        "formats": ["Digitallotsen", "Dorf-App", "Online-Bürgerservice", "Digitalwerkstatt", "Smart-Village-Projekt"],
        "subjects": [
            "digitale Teilhabe",
            "Verwaltungsleistungen online",
            "Breitbandausbau",
            "digitale Kompetenzen älterer Menschen",
        ],
        "goals": ["Wege zur Verwaltung sparen", "allen Generationen digitale Teilhabe ermöglichen"],
    },
    "buergerbeteiligung": {
        "formats": ["Bürgerwerkstatt", "Zukunftswerkstatt", "Bürgerrat", "Online-Beteiligung", "Ortsteilkonferenz"],
        "subjects": ["Bürgerbeteiligung", "die Beteiligung junger Menschen", "die Gestaltung des Ortes"],
        "goals": ["Bürgerinnen und Bürger früh beteiligen", "Ideen aus der Bevölkerung aufgreifen"],
    },
    "engagement": {
        "formats": ["Ehrenamtsbörse", "Freiwilligenagentur", "Engagementpreis", "Ehrenamtskarte"],
        "subjects": ["bürgerschaftliches Engagement", "Ehrenamtliche", "Vereinsarbeit"],
        "goals": ["Ehrenamtliche gewinnen und anerkennen", "Engagement sichtbar machen"],
    },
    "demokratiefoerderung": {
        "formats": ["Demokratiekonferenz", "Partnerschaft für Demokratie", "Planspiel Kommunalpolitik"],
        "subjects": ["demokratische Teilhabe", "politische Bildung", "Zusammenhalt im Ort"],
        "goals": ["das Vertrauen in die Kommunalpolitik stärken", "junge Menschen für Politik gewinnen"],
    },
    "integration": {
        "formats": ["Integrationslotsen", "Sprachcafé", "Willkommensnetzwerk", "Patenschaftsprogramm"],
        "subjects": ["Zugewanderte", "Menschen mit Migrationsgeschichte", "Integration in Arbeit"],
        "goals": ["das Ankommen erleichtern", "Begegnung von Alteingesessenen und Zugezogenen fördern"],
    },
    "oeffentlichkeitsarbeit": {
        "formats": ["Demografie-Kampagne", "Bürgerzeitung", "Imagefilm", "Infoabend"],
        "subjects": ["den demografischen Wandel", "die Kommunikation der Verwaltung", "das Image des Ortes"],
        "goals": ["über den Wandel offen informieren", "Zuzug werben"],
    },
    "foerdermittel": {
        "formats": ["Fördermittelberatung", "Fördermittellotse", "LEADER-Projekt", "Förderdatenbank"],
        "subjects": ["Fördermittel", "Förderprogramme von Bund und Land", "Eigenanteile kleiner Gemeinden"],
        "goals": ["Förderprogramme besser nutzen", "Anträge gemeinsam stellen"],
    },
    "demografiestrategie": {
        "formats": ["Demografiestrategie", "Demografie-Check", "Kommunalprofil", "Werkstattplan", "Zwischenbilanz"],
        "subjects": [
            "die Bevölkerungsentwicklung",
            "die Altersstruktur",
            "Wanderungsbewegungen",
            "eine langfristige Strategie",
        ],
        "goals": ["den Wandel vorausschauend gestalten", "Maßnahmen an Daten ausrichten"],
    },
    "sicherheit": {
        "formats": ["Präventionsrat", "Sicherheitspartnerschaft", "Notfallnachbarschaft", "Feuerwehrnachwuchs"],
        "subjects": ["Sicherheit im Ort", "Brandschutz", "Katastrophenschutz"],
        "goals": ["das Sicherheitsgefühl stärken", "die Freiwillige Feuerwehr sichern"],
    },
}

PARENT = {
    "mobilitaet": "kooperation",
    "nahversorgung": "arbeit-wirtschaft",
    "wohnumfeld": "wohnen",
    "sicherheit": "demografiestrategie",
    "leben-im-alter": "gesundheit-pflege",
    "kinder-jugend-familie": "begegnung",
    "bildung": "begegnung",
    "kultur-freizeit": "begegnung",
    "fachkraefte": "arbeit-wirtschaft",
    "leerstand": "wohnen",
}
TOPICS = list(FIELDS)

TARGET_GROUPS = ["kinder", "jugendliche", "familien", "senioren", "migration", "ehrenamtliche", "verwaltung", "alle"]
PLACES = [
    "im Ortskern",
    "in den Ortsteilen",
    "im ländlichen Raum",
    "in der Verbandsgemeinde",
    "im Quartier",
    "in der Kleinstadt",
    "im Amt",
    "im Landkreis",
]
PARTNERS = [
    "dem Seniorenbeirat",
    "den örtlichen Vereinen",
    "der Kirchengemeinde",
    "dem Landkreis",
    "der Volkshochschule",
    "dem Jugendamt",
    "ehrenamtlichen Helferinnen und Helfern",
    "der Sparkasse",
    "dem Pflegedienst",
    "der Wohnungsbaugesellschaft",
    "den Nachbargemeinden",
    "der Feuerwehr",
]
OPENINGS = [
    "Im Rahmen der Zukunftswerkstatt haben wir festgestellt, dass {subject} {place} besondere Aufmerksamkeit braucht.",
    "Unser Kommunalprofil zeigte deutlich: {subject} ist für die Entwicklung unserer Gemeinde entscheidend.",
    "Die Lenkungsgruppe hat {subject} als Schwerpunkt des Werkstattplans festgelegt.",
    "Nach dem Kick-Off wurde schnell klar, dass wir {subject} gemeinsam mit der Bevölkerung angehen wollen.",
]
MIDDLES = [
    "Gemeinsam mit {partner} haben wir eine {format} aufgebaut, um {goal}.",
    "Die {format} wird von {partner} getragen und von der Verwaltung begleitet.",
    "In mehreren Beteiligungsformaten haben Bürgerinnen und Bürger Ideen für die {format} eingebracht.",
    "Finanziert wurde die {format} aus Eigenmitteln und einem Förderprogramm des Landes.",
    "Wichtig war uns, {goal}; deshalb ist die {format} offen für alle Generationen.",
    "Die Koordination liegt bei einer Teilzeitstelle in der Verwaltung, unterstützt von {partner}.",
]
RESULTS = [
    "Nach einem Jahr nutzen regelmäßig über {number} Menschen das Angebot.",
    "Die Zwischenbilanz zeigt, dass sich das Angebot bewährt hat und verstetigt werden soll.",
    "Andere Kommunen können die {format} mit geringem Aufwand übernehmen.",
    "Besonders geholfen hat die enge Abstimmung mit {partner}.",
    "Als nächstes wollen wir die {format} auf weitere Ortsteile ausweiten.",
]
TITLES = [
    "{format} für {subject}",
    "{format} {place}",
    "Mit der {format} {goal}",
    "{format}: {subject} gemeinsam gestalten",
]
SUMMARIES = [
    "Eine {format} {place}, die {subject} in den Mittelpunkt stellt und hilft, {goal}.",
    "Wie wir mit einer {format} und {partner} {subject} gestärkt haben.",
    "Unsere {format} zeigt, wie eine kleine Kommune {goal} kann.",
]


@dataclass(frozen=True)
class PracticeText:
    title: str
    summary: str
    body: str
    topics: list[str]
    target_groups: list[str]


def _fill(template: str, rng: random.Random, field: dict[str, list[str]]) -> str:
    return template.format(
        format=rng.choice(field["formats"]),
        subject=rng.choice(field["subjects"]),
        goal=rng.choice(field["goals"]),
        place=rng.choice(PLACES),
        partner=rng.choice(PARTNERS),
        number=rng.choice([20, 40, 60, 100, 150, 300]),
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def practice_text(rng: random.Random, topic: str | None = None) -> PracticeText:
    """One practice: a title, a summary, three to five paragraphs, one or two fitting topics."""
    main = topic or rng.choice(TOPICS)
    field = FIELDS[main]
    topics = [main]
    if rng.random() < 0.4:
        topics.append(PARENT.get(main) or rng.choice(TOPICS))
    title = _capitalised(_fill(rng.choice(TITLES), rng, field))[:200]
    summary = _fill(rng.choice(SUMMARIES), rng, field)
    paragraphs = [_fill(rng.choice(OPENINGS), rng, field)]
    for _ in range(rng.randint(2, 4)):
        sentences = [_fill(rng.choice(MIDDLES), rng, field) for _ in range(rng.randint(2, 4))]
        paragraphs.append(" ".join(sentences))
    paragraphs.append(" ".join(_fill(rng.choice(RESULTS), rng, field) for _ in range(2)))
    return PracticeText(
        title=title,
        summary=summary,
        body="\n\n".join(paragraphs),
        topics=list(dict.fromkeys(topics)),
        target_groups=rng.sample(TARGET_GROUPS, rng.randint(1, 3)),
    )


# Searches as people type them: (words, topic filter); and the same words misspelt.
SEARCHES: list[tuple[str, str]] = [
    ("Nachbarschaftsbörse", "begegnung"),
    ("Bürgerbus", "mobilitaet"),
    ("Pflege Angehörige", "gesundheit-pflege"),
    ("Dorfladen", "nahversorgung"),
    ("Leerstand Ortskern", "leerstand"),
    ("Jugendparlament", "kinder-jugend-familie"),
    ("Ehrenamt gewinnen", "engagement"),
    ("Fördermittel", "foerdermittel"),
    ("Mitfahrbank", "mobilitaet"),
    ("Wohnen im Alter", "wohnen"),
    ("digitale Teilhabe", "digitalisierung"),
    ("Zukunftswerkstatt", "buergerbeteiligung"),
]
MISSPELLED: list[tuple[str, str]] = [
    ("Nachbarschaftsbörsse", "begegnung"),
    ("Bürgerbuss", "mobilitaet"),
    ("Dorfladn", "nahversorgung"),
    ("Jugendparlamnt", "kinder-jugend-familie"),
    ("Mitfahrbnak", "mobilitaet"),
    ("Zukunftswerkstat", "buergerbeteiligung"),
    ("Gesundheitskiosck", "gesundheit-pflege"),
    ("Ehrenamtsbörße", "engagement"),
]
