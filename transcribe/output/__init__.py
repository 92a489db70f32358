"""The outputs: each format's writer, and the atomic file writing they share.

:mod:`.score` (the music21 score, MusicXML and MIDI; the only music21 import), :mod:`.render`
(engraved SVG, PNG, PDF), :mod:`.notelist` (CSV), :mod:`.plot` (the picture), :mod:`.files`
(atomic writes that never clobber).
"""
