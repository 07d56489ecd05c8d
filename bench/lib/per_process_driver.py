"""The way a Python service labels today: one `synthlabel label` process per file, WORKERS at
a time, for SECONDS. Prints JSON: files labelled, files per second, and p50/p99 latency (ms).

usage: per_process_driver.py SYNTHLABEL SOURCE OUTDIR PRODUCER SECONDS WORKERS
"""
import json, os, shutil, subprocess, sys, threading, time

binary, source, outdir, producer = sys.argv[1:5]
seconds, workers = float(sys.argv[5]), int(sys.argv[6])
lock, latencies, failures, counter = threading.Lock(), [], [0], [0]
deadline = time.monotonic() + seconds


def work():
    while time.monotonic() < deadline:
        with lock:
            counter[0] += 1
            index = counter[0]
        folder = os.path.join(outdir, str(index))
        os.makedirs(folder)
        started = time.monotonic()
        # taskset: the same two cores the server gets.
        done = subprocess.run(["taskset", "-c", "0,1", binary, "label", source, "--producer", producer, "--output", folder],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.monotonic() - started
        with lock:
            if done.returncode == 0:
                latencies.append(elapsed * 1000)
            else:
                failures[0] += 1
        shutil.rmtree(folder)


began = time.monotonic()
threads = [threading.Thread(target=work) for _ in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
wall = time.monotonic() - began
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
print(json.dumps({"files": len(latencies), "failures": failures[0], "per_second": len(latencies) / wall,
                  "p50_ms": pick(0.50), "p99_ms": pick(0.99)}))
