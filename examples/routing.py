# examples/routing.py: run it from the repository root. Ask for a job, not a vendor.
from mediaconduit import ProviderRegistry, Video

with ProviderRegistry(project="examples/mediaconduit.yaml") as registry:
    talk = Video.from_path("examples/talk.mp4")  # 3 s of someone counting to seven
    plan = registry.plan(talk, to="text")
    print(" -> ".join(f"{s.candidates[0].label} ({s.candidates[0].task})" for s in plan.steps))

    text = registry.transform(talk, to="text")  # FFmpeg, then local speech recognition
    print(f"heard: {text.text!r}")
    print(f"route: {[hop['model'] for hop in text.metadata['route']]}, cost: ${text.cost.usd}")
