"""The speech engines, free of MediaConduit imports: espeak-ng (`espeak`), pocketsphinx
(`sphinx`) and FFmpeg decoding (`audio`). The host's test helpers reuse them."""
