# examples/speech.py: run it from the repository root. Offline: no service, no key, no download.
from mediaconduit import Text, get_provider_registry

speech = get_provider_registry().get_provider("./providers/local-speech-provider")

wav = speech.get_model("espeak-ng").transform(Text("one two three four five six seven"))
heard = speech.get_model("pocketsphinx-en-us").transform(wav)

print(f"speech: {wav.path} {wav.metadata['duration']} s, voice {wav.metadata['voice']}")
print(f"heard:  {heard.text!r}")
print("words: ", [(w["word"], w["start"]) for w in heard.metadata["words"]])
