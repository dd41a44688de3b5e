"""Constants shared by the provider's tests (and the host's, through tests/helpers/together.py)."""

from __future__ import annotations

from typing import Any

KEY = "tgp_v1_" + "9a8b7c6d5e4f3a2b" * 3
#: no client retries (a test scripts each answer), short timeouts
FAST: dict[str, Any] = {"max_retries": 0, "timeout": 10}

CHAT = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
FREE_CHAT = "meta-llama/Llama-3.3-70B-Instruct-Turbo-Free"
VISION = "Qwen/Qwen2.5-VL-72B-Instruct"
FREE_VISION = "meta-llama/Llama-Vision-Free"
CODE = "Qwen/Qwen2.5-Coder-32B-Instruct"
FREE_IMAGE = "black-forest-labs/FLUX.1-schnell-Free"
IMAGE = "black-forest-labs/FLUX.1-schnell"
EMBEDDING = "togethercomputer/m2-bert-80M-32k-retrieval"
WHISPER = "openai/whisper-large-v3"
FREE = frozenset({FREE_CHAT, FREE_VISION, FREE_IMAGE})
