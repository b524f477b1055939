"""The improved CPU work behind /simulate-load (lecture §9): the same result, in closed form.

The lecture's loop adds 0 + 1 + … + 999,999 one number at a time; Gauss' formula n·(n−1)/2 gives the
same 499999500000 at once, so the response text stays exactly the same.
"""

N = 1000000


def simulate_load() -> int:
    return N * (N - 1) // 2
