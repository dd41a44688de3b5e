"""Local speech for MediaConduit: espeak-ng and pocketsphinx, shipped in wheels."""
