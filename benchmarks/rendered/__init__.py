"""The rendered benchmark sets' parts: what they are played with (:mod:`.variations`), their tunes and
plans (:mod:`.corpus`), the playing (:mod:`.performance`) and the rooms and microphones
(:mod:`.rooms`). :mod:`benchmarks.build_rendered` renders and caches the sets."""
