"""The CPU work behind /simulate-load: the lecture's loop, kept alone so §9 can swap in a faster file."""


def simulate_load() -> int:
    x = 0
    for i in range(1000000):
        x += i
    return x
