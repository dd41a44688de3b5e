"""The engines on their own: espeak-ng through ctypes, FFmpeg's stream, pocketsphinx."""

from __future__ import annotations

import itertools
import threading
import wave
from pathlib import Path

import pytest
from local_speech_provider.engine import audio, espeak, sphinx

SEVEN = "one two three four five six seven"  # as in conftest.py


def test_voices_come_from_the_engine_with_languages_and_variants() -> None:
    voices = {v.name: v for v in espeak.voices()}
    assert len(voices) > 100
    assert voices["en-US"].language == "en-us"
    assert voices["fr"].description == "French (France)"
    assert voices["en-us+f5"].gender == "female"


def test_synthesis_is_16_bit_pcm_at_the_engines_rate() -> None:
    spoken = espeak.synthesize(SEVEN)
    assert spoken.sample_rate == 22050
    assert 1.0 < spoken.seconds < 4.0
    assert max(spoken.pcm[1::2]) > 40  # loud enough to be speech, not silence


def test_rate_is_words_per_minute() -> None:
    slow, fast = espeak.synthesize(SEVEN, rate=100), espeak.synthesize(SEVEN, rate=300)
    assert slow.seconds > 2 * fast.seconds


def test_an_unknown_voice_names_close_ones() -> None:
    with pytest.raises(espeak.EspeakError, match=r"no voice .en-xx.; try en"):
        espeak.synthesize("hi", voice="en-xx")


def test_synthesis_from_many_threads_keeps_each_text_apart() -> None:
    texts = ["hello", SEVEN * 3]
    expected = [espeak.synthesize(t).seconds for t in texts]
    results: dict[int, float] = {}

    def speak(index: int) -> None:
        results[index] = espeak.synthesize(texts[index % 2]).seconds

    threads = [threading.Thread(target=speak, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, seconds in results.items():  # espeak varies a few samples from run to run
        assert seconds == pytest.approx(expected[index % 2], rel=0.03)
    assert len(results) == 6


def test_wav_bytes_are_a_readable_wav(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(audio.wav_bytes(b"\0\1" * 800, 16000))
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()) == (
            1, 2, 16000, 800)


def test_ffmpeg_streams_16_khz_mono_in_chunks(seven_wav: Path) -> None:
    chunks = list(audio.pcm_chunks(seven_wav, chunk_seconds=0.5))
    assert all(len(c) == 16000 for c in chunks[:-1])
    seconds = sum(len(c) for c in chunks) / 2 / 16000
    assert seconds == pytest.approx(espeak.synthesize(SEVEN).seconds, abs=0.02)


def test_closing_the_stream_kills_ffmpeg(long_wav: Path) -> None:
    with audio.PcmStream(long_wav, chunk_seconds=0.1) as stream:
        first = next(iter(stream))
        stream.close()
        assert stream.process.poll() is not None
        assert len(first) == 3200
        rest = b"".join(stream)  # what the pipe still held; no error for a stopped FFmpeg
        assert len(rest) < 12 * 16000 * 2 - len(first)


def test_undecodable_input_is_an_audio_error_with_ffmpegs_reason(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 50)
    with pytest.raises(audio.AudioError, match=r"FFmpeg cannot decode audio from junk\.mp3"):
        list(audio.pcm_chunks(junk))


def test_duration_is_read_from_the_container(long_wav: Path) -> None:
    assert audio.duration_seconds(long_wav) == pytest.approx(12.0, abs=0.05)


@pytest.mark.parametrize("resampler", list(audio.RESAMPLERS))
def test_the_round_trip_keeps_the_seven_words(seven_wav: Path, resampler: str) -> None:
    words = sphinx.recognize_pcm(audio.pcm_chunks(seven_wav, resampler=resampler))
    assert [w.word for w in words] == SEVEN.split()
    assert all(a.end <= b.start + 0.01 for a, b in itertools.pairwise(words))


def test_recognition_in_tiny_pieces_equals_recognition_in_big_ones(seven_wav: Path) -> None:
    pcm = b"".join(audio.pcm_chunks(seven_wav))
    whole = sphinx.recognize_pcm([pcm])
    pieces = sphinx.recognize_pcm(pcm[i:i + 333] for i in range(0, len(pcm), 333))
    assert [w.word for w in pieces] == [w.word for w in whole]


def test_speech_after_silence_is_timed_from_the_start(long_wav: Path, ffmpeg: str,
                                                      tmp_path: Path) -> None:
    import subprocess

    late = tmp_path / "late.wav"
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-i", str(long_wav), "-af",
                    "areverse,apad=pad_dur=0,areverse,adelay=3000", str(late)], check=True)
    words = sphinx.recognize_pcm(audio.pcm_chunks(late))
    assert words and words[0].start == pytest.approx(3.0, abs=0.3)


def test_a_data_path_too_long_for_espeak_is_reached_through_a_short_link(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 90) / ("e" * 90) / "espeak-ng-data"
    deep.mkdir(parents=True)
    (deep / "phontab").write_text("x")
    short = espeak._short(str(deep))
    assert len(short.encode()) <= espeak.MAX_DATA_PATH
    assert Path(short, "phontab").read_text() == "x"
    assert espeak._short(str(deep)) == short  # the same link again
    assert espeak._short("/short/enough") == "/short/enough"
