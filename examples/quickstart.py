# examples/quickstart.py: run it from the repository root.
from mediaconduit import Video, get_provider_registry

provider = get_provider_registry().get_provider("./providers/ffmpeg-provider")
clip = Video.from_path("examples/clip.mp4")  # 2 s, 160x120, with a 440 Hz tone

audio = provider.get_model("extract-audio").transform(clip, format="mp3")
frame = provider.get_model("extract-frame").transform(clip, time=1.0, format="png")

print(f"audio: {audio.path} {audio.mime_type} {audio.metadata['duration']} s")
print(f"frame: {frame.path} {frame.metadata['width']}x{frame.metadata['height']}")
