"""newsradar's benchmarks: `python -m bench.run` (see bench/run.py and the README's "Benchmarks").

bench/run.py        the one entry point: --quick, --smoke, --only NAMES, --bootstrap
bench/harness.py    timers, statistics, the machine block, the JSON/Markdown writer
bench/report.py     the run's summary: targets table, figures, chart
bench/stories.py    invented articles the benchmarks send (each its own story)
bench/micro/        no broker: each step's cost, classify, the alert rules, cleaning
bench/system/       a real broker: the worker's ceiling, throughput, latency, memory,
                    the alert stage alone, the worker against `newsradar process`
bench/results/      generated, ignored by git, except baseline.md (a full run's summary)
"""
