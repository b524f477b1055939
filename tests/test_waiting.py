from monlab.waiting import Clock, Outcome, poll


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


def test_poll_returns_as_soon_as_the_probe_is_done():
    fake = FakeClock()
    answers = iter([Outcome(False, 1, "not yet"), Outcome(False, 2, "not yet"), Outcome(True, 3)])
    result = poll(lambda: next(answers), timeout=10, interval=1, clock=fake.clock())
    assert result.done and result.value == 3
    assert result.attempts == 3
    assert fake.t == 2


def test_poll_times_out_with_the_last_value_and_note():
    fake = FakeClock()
    counter = iter(range(100))
    result = poll(lambda: Outcome(False, next(counter), "still 0"), timeout=5, interval=2, clock=fake.clock())
    assert not result.done
    assert result.value == 3  # probes at t=0, 2, 4, 5
    assert result.note == "still 0"
    assert fake.sleeps == [2, 2, 1]


def test_poll_probes_once_even_with_zero_timeout():
    fake = FakeClock()
    result = poll(lambda: Outcome(False, "x"), timeout=0, clock=fake.clock())
    assert result.attempts == 1 and not result.done and fake.sleeps == []
