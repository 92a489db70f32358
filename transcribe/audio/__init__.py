"""Audio in: any file or array to mono float32 at the rate the pitch backend wants.

WAV, FLAC, OGG and MP3 are read by soundfile (libsndfile ships in its wheel, no
system program needed) in blocks (:mod:`.decode`), each block mixed to mono and resampled
as it streams into one preallocated buffer, so an hour-long file never sits in memory
at its full rate and channel count. Anything else (m4a, aac, video soundtracks)
is decoded by the ``ffmpeg`` program (:mod:`.ffmpeg`), streamed through a pipe as mono
float32 at the wanted rate. Pipes and file objects are copied first (:mod:`.streams`);
arrays are mixed, resampled and checked in :mod:`.samples` (which also raises a very quiet
recording to a level the pitch model reads); :mod:`.read` holds the entry points.

Bad input fails with one :class:`AudioError` line naming the file and the fix;
damage that still leaves usable audio (a file cut short, NaN samples) is
repaired with a :class:`TranscribeWarning`.
"""

from .read import load, load_data, sniff_not_audio
from .samples import from_array, raise_quiet

__all__ = ["from_array", "load", "load_data", "raise_quiet", "sniff_not_audio"]
