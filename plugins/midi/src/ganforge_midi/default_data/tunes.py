"""The embedded default tunes, written out note by note.

Every melody here is traditional or long out of copyright (public domain); the
transcriptions and the simple chord accompaniments were written for ganforge and are
dedicated to the public domain (CC0 1.0). See ``NOTICE.md`` next to this file.

Notation (one string per part, bar lines ``|`` are checked, not needed):

* melody token ``PITCH[:BEATS]`` -- ``C4``, ``F#4:1.5``, ``Bb3:0.5``; ``r`` is a rest;
  ``BEATS`` is in quarter notes and defaults to 1.
* chord token ``SYMBOL[:BEATS]`` -- ``C``, ``Am``, ``D7``, ``Bb``; ``r`` is a rest.

``pickup`` is the length of the anacrusis in beats (the first bar is that long and the
last bar is shortened by the same amount). ``canon`` (optional) turns a tune into a round:
the melody is played ``canon["times"]`` times by one voice per entry offset (beats).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tune:
    """One tune of the default set (see the module docstring for the notation)."""

    name: str
    title: str
    origin: str
    key: str  # pretty_midi key name, e.g. "C Major", "D minor"
    meter: tuple[int, int]  # time signature numerator, denominator
    melody: str
    chords: str = ""
    pickup: float = 0.0
    canon: dict = field(default_factory=dict)


TUNES: list[Tune] = [
    Tune(
        name="twinkle",
        title="Twinkle, Twinkle, Little Star",
        origin='French folk tune "Ah! vous dirai-je, maman" (1761)',
        key="C Major",
        meter=(4, 4),
        melody="C4 C4 G4 G4 | A4 A4 G4:2 | F4 F4 E4 E4 | D4 D4 C4:2 | G4 G4 F4 F4 | E4 E4 D4:2 | "
        "G4 G4 F4 F4 | E4 E4 D4:2 | C4 C4 G4 G4 | A4 A4 G4:2 | F4 F4 E4 E4 | D4 D4 C4:2",
        chords="C:4 | F:2 C:2 | F:2 C:2 | G:2 C:2 | C:2 F:2 | C:2 G:2 | C:2 F:2 | C:2 G:2 | C:4 | F:2 C:2 | "
        "F:2 C:2 | G:2 C:2",
    ),
    Tune(
        name="frere_jacques",
        title="Frere Jacques",
        origin="French traditional round (18th century)",
        key="F Major",
        meter=(4, 4),
        melody="F4 G4 A4 F4 | F4 G4 A4 F4 | A4 Bb4 C5:2 | A4 Bb4 C5:2 | C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | "
        "C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | F4 C4 F4:2 | F4 C4 F4:2",
        chords="F:4 | F:4 | F:4 | F:4 | F:4 | F:4 | F:1 C:1 F:2 | F:1 C:1 F:2",
    ),
    Tune(
        name="frere_jacques_round",
        title="Frere Jacques (two-voice round)",
        origin="French traditional round (18th century)",
        key="F Major",
        meter=(4, 4),
        melody="F4 G4 A4 F4 | F4 G4 A4 F4 | A4 Bb4 C5:2 | A4 Bb4 C5:2 | C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | "
        "C5:0.5 D5:0.5 C5:0.5 Bb4:0.5 A4 F4 | F4 C4 F4:2 | F4 C4 F4:2",
        canon={"offsets": [0, 8], "times": 2},
    ),
    Tune(
        name="ode_to_joy",
        title="Ode to Joy",
        origin="L. van Beethoven, Symphony No. 9 (1824)",
        key="D Major",
        meter=(4, 4),
        melody="F#4 F#4 G4 A4 | A4 G4 F#4 E4 | D4 D4 E4 F#4 | F#4:1.5 E4:0.5 E4:2 | F#4 F#4 G4 A4 | A4 G4 F#4 E4 | "
        "D4 D4 E4 F#4 | E4:1.5 D4:0.5 D4:2 | E4 E4 F#4 D4 | E4 F#4:0.5 G4:0.5 F#4 D4 | "
        "E4 F#4:0.5 G4:0.5 F#4 E4 | D4 E4 A3:2 | F#4 F#4 G4 A4 | A4 G4 F#4 E4 | D4 D4 E4 F#4 | E4:1.5 D4:0.5 D4:2",
        chords="D:4 | A:4 | D:4 | D:2 A:2 | D:4 | A:4 | D:4 | A:2 D:2 | A:2 D:2 | A:2 D:2 | A:2 D:2 | D:2 A:2 | "
        "D:4 | A:4 | D:4 | A:2 D:2",
    ),
    Tune(
        name="mary_lamb",
        title="Mary Had a Little Lamb",
        origin="American traditional (1830)",
        key="C Major",
        meter=(4, 4),
        melody="E4 D4 C4 D4 | E4 E4 E4:2 | D4 D4 D4:2 | E4 G4 G4:2 | E4 D4 C4 D4 | E4 E4 E4 E4 | D4 D4 E4 D4 | C4:4",
        chords="C:4 | C:4 | G:4 | C:4 | C:4 | C:4 | G:4 | C:4",
    ),
    Tune(
        name="london_bridge",
        title="London Bridge Is Falling Down",
        origin="English traditional nursery rhyme",
        key="C Major",
        meter=(4, 4),
        melody="G4:1.5 A4:0.5 G4 F4 | E4 F4 G4:2 | D4 E4 F4:2 | E4 F4 G4:2 | G4:1.5 A4:0.5 G4 F4 | E4 F4 G4:2 | "
        "D4:2 G4:2 | E4 C4:3",
        chords="C:4 | C:4 | G:4 | C:4 | C:4 | C:4 | G:4 | C:4",
    ),
    Tune(
        name="yankee_doodle",
        title="Yankee Doodle",
        origin="American traditional (18th century)",
        key="C Major",
        meter=(4, 4),
        melody="C4 C4 D4 E4 | C4 E4 D4 G3 | C4 C4 D4 E4 | C4:2 B3:2 | C4 C4 D4 E4 | F4 E4 D4 C4 | B3 G3 A3 B3 | "
        "C4:2 C4:2 | A4 B4 A4 G4 | A4 B4 C5:2 | G4 A4 G4 F4 | E4:2 G4:2 | A4 B4 A4 G4 | A4 B4 C5 A4 | "
        "G4 C5 B4 D5 | C5:2 C5:2",
        chords="C:4 | C:2 G:2 | C:4 | C:2 G:2 | C:4 | F:2 C:2 | G:4 | C:4 | F:4 | F:2 C:2 | C:2 G:2 | C:4 | F:4 | "
        "F:4 | C:2 G:2 | C:4",
    ),
    Tune(
        name="amazing_grace",
        title="Amazing Grace (New Britain)",
        origin="American traditional hymn tune (1829)",
        key="G Major",
        meter=(3, 4),
        pickup=1,
        melody="D4 | G4:2 B4:0.5 G4:0.5 | B4:2 A4 | G4:2 E4 | D4:2 D4 | G4:2 B4:0.5 G4:0.5 | B4:2 A4 | D5:3 | "
        "D5:2 B4 | D5:1.5 B4:0.5 G4 | B4:2 A4 | G4:2 E4 | D4:2 D4 | G4:2 B4:0.5 G4:0.5 | B4:2 A4 | G4:2",
        chords="r:1 | G:3 | G:3 | C:3 | G:3 | G:3 | D:3 | D:3 | G:3 | G:3 | D:3 | C:3 | G:3 | G:3 | D:3 | G:2",
    ),
    Tune(
        name="oh_susanna",
        title="Oh! Susanna",
        origin="S. Foster (1848)",
        key="G Major",
        meter=(4, 4),
        pickup=1,
        melody="G4:0.5 A4:0.5 | B4 D5 D5:1.5 E5:0.5 | D5 B4 G4:1.5 A4:0.5 | B4 B4 A4 G4 | A4:3 G4:0.5 A4:0.5 | "
        "B4 D5 D5:1.5 E5:0.5 | D5 B4 G4:1.5 A4:0.5 | B4 B4 A4 A4 | G4:3 r | C5:2 C5:2 | E5:2 E5:2 | "
        "D5 D5 B4 G4 | A4:3 G4:0.5 A4:0.5 | B4 D5 D5:1.5 E5:0.5 | D5 B4 G4:1.5 A4:0.5 | B4 B4 A4 A4 | G4:3",
        chords="r:1 | G:4 | G:4 | G:4 | D:4 | G:4 | G:4 | G:2 D:2 | G:4 | C:4 | G:4 | G:4 | D:4 | G:4 | G:4 | "
        "G:2 D:2 | G:3",
    ),
    Tune(
        name="when_the_saints",
        title="When the Saints Go Marching In",
        origin="American traditional spiritual",
        key="C Major",
        meter=(4, 4),
        melody="r C4 E4 F4 | G4:4 | r C4 E4 F4 | G4:4 | r C4 E4 F4 | G4:2 E4:2 | C4:2 E4:2 | D4:4 | r E4 E4 D4 | "
        "C4:3 C4 | E4:2 G4:2 | G4 F4:3 | r E4 F4 G4 | E4:2 C4:2 | D4:4 | C4:4",
        chords="C:4 | C:4 | C:4 | C:4 | C:4 | C:4 | C:4 | G:4 | C:4 | C:4 | C:4 | F:4 | C:4 | C:4 | G:4 | C:4",
    ),
    Tune(
        name="auld_lang_syne",
        title="Auld Lang Syne",
        origin="Scottish traditional (words R. Burns, 1788)",
        key="F Major",
        meter=(4, 4),
        pickup=1,
        melody="C4 | F4:1.5 F4:0.5 F4 A4 | G4:1.5 F4:0.5 G4 A4 | F4:1.5 F4:0.5 A4 C5 | D5:3 D5 | "
        "C5:1.5 A4:0.5 A4 F4 | G4:1.5 F4:0.5 G4 A4 | F4:1.5 D4:0.5 D4 C4 | F4:3 D5 | C5:1.5 A4:0.5 A4 F4 | "
        "G4:1.5 F4:0.5 G4 D5 | C5:1.5 A4:0.5 A4 C5 | D5:3 D5 | C5:1.5 A4:0.5 A4 F4 | G4:1.5 F4:0.5 G4 A4 | "
        "F4:1.5 D4:0.5 D4 C4 | F4:3",
        chords="r:1 | F:4 | C:4 | F:4 | Bb:4 | F:4 | C:4 | Dm:2 Bb:2 | F:4 | F:4 | C:4 | F:4 | Bb:4 | F:4 | C:4 | "
        "Dm:2 C:2 | F:3",
    ),
    Tune(
        name="scarborough_fair",
        title="Scarborough Fair",
        origin="English traditional ballad",
        key="D minor",
        meter=(3, 4),
        melody="D4:2 D4 | A4:2 A4 | E4:1.5 F4:0.5 E4 | D4:3 | r A4 C5 | D5:2 C5 | A4 B4 G4 | A4:3 | r:2 D5 | "
        "D5:2 D5 | C5:2 A4 | A4 G4 F4 | E4 C4:2 | D4:2 A4 | G4:2 F4 | E4 D4 C4 | D4:3",
        chords="Dm:3 | Dm:3 | C:3 | Dm:3 | Dm:3 | F:3 | G:3 | Am:3 | Dm:3 | Dm:3 | F:3 | Dm:3 | C:3 | Dm:3 | "
        "C:3 | C:3 | Dm:3",
    ),
    Tune(
        name="greensleeves",
        title="Greensleeves",
        origin="English traditional (16th century)",
        key="A minor",
        meter=(3, 4),
        pickup=1,
        melody="A4 | C5:2 D5 | E5:1.5 F5:0.5 E5 | D5:2 B4 | G4:1.5 A4:0.5 B4 | C5:2 A4 | A4:1.5 G#4:0.5 A4 | "
        "B4:2 G#4 | E4:2 A4 | C5:2 D5 | E5:1.5 F5:0.5 E5 | D5:2 B4 | G4:1.5 A4:0.5 B4 | C5:1.5 B4:0.5 A4 | "
        "G#4:1.5 F#4:0.5 G#4 | A4:2",
        chords="r:1 | Am:3 | C:3 | G:3 | Em:3 | Am:3 | Am:3 | E:3 | E:3 | Am:3 | C:3 | G:3 | Em:3 | Am:3 | E:3 | "
        "Am:2",
    ),
    Tune(
        name="drunken_sailor",
        title="Drunken Sailor",
        origin="English/Irish traditional sea shanty",
        key="D minor",
        meter=(4, 4),
        melody="A4 A4:0.5 A4:0.5 A4 A4:0.5 A4:0.5 | A4 D4 F4 A4 | G4 G4:0.5 G4:0.5 G4 G4:0.5 G4:0.5 | "
        "G4 C4 E4 G4 | A4 A4:0.5 A4:0.5 A4 A4:0.5 A4:0.5 | A4 B4 C5 D5 | C5 A4 G4 E4 | D4:2 D4:2 | "
        "A4:2 A4:2 | A4 D4 F4 A4 | G4:2 G4:2 | G4 C4 E4 G4 | A4:2 A4:2 | A4 B4 C5 D5 | C5 A4 G4 E4 | D4:2 D4:2",
        chords="Dm:4 | Dm:4 | C:4 | C:4 | Dm:4 | Dm:4 | C:4 | Dm:4 | Dm:4 | Dm:4 | C:4 | C:4 | Dm:4 | Dm:4 | "
        "C:4 | Dm:4",
    ),
    Tune(
        name="row_your_boat",
        title="Row, Row, Row Your Boat",
        origin="American traditional round (1852)",
        key="C Major",
        meter=(6, 8),
        melody="C4:1.5 C4:1.5 | C4 D4:0.5 E4:1.5 | E4 D4:0.5 E4 F4:0.5 | G4:3 | "
        "C5:0.5 C5:0.5 C5:0.5 G4:0.5 G4:0.5 G4:0.5 | E4:0.5 E4:0.5 E4:0.5 C4:0.5 C4:0.5 C4:0.5 | "
        "G4 F4:0.5 E4 D4:0.5 | C4:3",
        chords="C:3 | C:3 | C:3 | C:3 | C:3 | C:3 | G:3 | C:3",
    ),
    Tune(
        name="row_your_boat_round",
        title="Row, Row, Row Your Boat (three-voice round)",
        origin="American traditional round (1852)",
        key="C Major",
        meter=(6, 8),
        melody="C4:1.5 C4:1.5 | C4 D4:0.5 E4:1.5 | E4 D4:0.5 E4 F4:0.5 | G4:3 | "
        "C5:0.5 C5:0.5 C5:0.5 G4:0.5 G4:0.5 G4:0.5 | E4:0.5 E4:0.5 E4:0.5 C4:0.5 C4:0.5 C4:0.5 | "
        "G4 F4:0.5 E4 D4:0.5 | C4:3",
        canon={"offsets": [0, 6, 12], "times": 2},
    ),
    Tune(
        name="jingle_bells",
        title="Jingle Bells",
        origin="J. Pierpont (1857)",
        key="C Major",
        meter=(4, 4),
        melody="E4 E4 E4:2 | E4 E4 E4:2 | E4 G4 C4:1.5 D4:0.5 | E4:4 | F4 F4 F4:1.5 F4:0.5 | "
        "F4 E4 E4 E4:0.5 E4:0.5 | E4 D4 D4 E4 | D4:2 G4:2 | E4 E4 E4:2 | E4 E4 E4:2 | E4 G4 C4:1.5 D4:0.5 | "
        "E4:4 | F4 F4 F4 F4 | F4 E4 E4 E4:0.5 E4:0.5 | G4 G4 F4 D4 | C4:4",
        chords="C:4 | C:4 | C:4 | C:4 | F:4 | C:4 | D7:4 | G:4 | C:4 | C:4 | C:4 | C:4 | F:4 | C:4 | G7:4 | C:4",
    ),
    Tune(
        name="old_macdonald",
        title="Old MacDonald Had a Farm",
        origin="American/English traditional",
        key="G Major",
        meter=(4, 4),
        melody="G4 G4 G4 D4 | E4 E4 D4:2 | B4 B4 A4 A4 | G4:3 D4 | G4 G4 G4 D4 | E4 E4 D4:2 | B4 B4 A4 A4 | G4:4",
        chords="G:4 | C:2 G:2 | D:4 | G:4 | G:4 | C:2 G:2 | D:4 | G:4",
    ),
]
