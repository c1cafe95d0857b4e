#!/usr/bin/env python3
"""A straightforward Python decoder of the same SMDR traffic, for the decode benchmark's ratio.

The same road as the Rust decoder (benches/decode.rs): 5000 length-prefixed framing or line
split, format detection per line, every field of each format, and the date decision (5000 header
rule, App Suite 12-hour resolution, MiVB year). Written as a competent script would be: slicing,
str methods, datetime; no tricks in either direction.

    python3 benches/decode.py target/bench-data     # prints RESULT lines (MB/s per format)
    python3 benches/decode.py --write IN OUT        # IN decoded to JSON lines in OUT

With `--write` it is the `decode --as jsonl --output OUT IN` command in Python, for timing the
two as processes side by side (`scripts/bench.sh`): it reads the file, decodes each record and
writes the same JSON lines (the same fields, in the same order, the same text) with `json`.
"""

import json
import os
import struct
import sys
import time
from datetime import date, datetime, timedelta

HEADER_MARK = "Station Message Detailed Recording"


def detect(line):
    if len(line) >= 21 and line[4] == "-" and line[13] == ":" and "|" in line[19:21]:
        return "appsuite"
    if line.startswith(HEADER_MARK) or line.startswith("TYP EXT#"):
        return "mitel5000"
    if len(line) >= 50 and line[47] == ":" and line[48:50].isdigit():
        return "mitel5000"
    if len(line) >= 60 and line[3] == "/" and line[9] == ":" and line[0] in " -%+":
        return "mivb"
    return None


def field(line, a, b):
    return line[a:b].strip(" \0\t")


def parse_elapsed(s):
    s = s.strip()
    if s.startswith("S="):
        return int(s[2:])
    parts = [int(p) for p in s.split(":")]
    if len(parts) == 3:
        h, m, sec = parts
        if m >= 60 or sec >= 60:
            raise ValueError("bad elapsed")
        return h * 3600 + m * 60 + sec
    h, m = parts
    return h * 3600 + m * 60


class Mitel5000Dates:
    def __init__(self):
        self.reference = None

    def header(self, when):
        self.reference = when

    def record(self, start):
        if self.reference is None:
            return None
        ref = self.reference
        same_day = datetime.combine(ref.date(), start)
        if same_day - ref > timedelta(hours=12):
            return ref.date() - timedelta(days=1)
        if ref - same_day > timedelta(hours=12):
            day = ref.date() + timedelta(days=1)
        else:
            day = ref.date()
        self.reference = max(datetime.combine(day, start), ref)
        return day


def parse_5000(line, dates):
    if line.startswith(HEADER_MARK):
        when = datetime.strptime(line[60:79], "%H:%M:%S %m-%d-%Y")
        dates.header(when)
        return {"kind": "header", "date": when.date(), "time": when.time()}
    if line.startswith("TYP EXT#"):
        return {"kind": "header", "title_line": True}
    line = line.ljust(80)
    call_type = field(line, 0, 3)
    start = datetime.strptime(line[45:50], "%H:%M").time()
    digits = field(line, 16, 44)
    rec = {
        "kind": "call",
        "call_type": call_type,
        "ring_in": call_type == "",
        "extension": field(line, 4, 9),
        "trunk": field(line, 10, 15),
        "digits": digits,
        "start": start,
        "duration_s": parse_elapsed(line[51:59]),
        "cost": field(line, 60, 66),
        "account_code": field(line, 67, 79),
        "trunk_disconnect": line[79] == "*",
    }
    incoming = rec["ring_in"] or call_type in ("IN", "DID", "DSA")
    number = digits[3:] if digits.startswith("RG ") else digits
    if number.startswith("RING"):
        rec["number"], rec["did"] = "", number[4:].lstrip(".")
    elif incoming:
        parts = number.split(" ")
        rec["number"], rec["did"] = parts[0], (parts[-1] if len(parts) > 1 else "")
    else:
        rec["number"], rec["did"] = number, ""
    rec["date"] = dates.record(start)
    return rec


def resolve_time(day, printed, start):
    as_printed = datetime.combine(day, printed)
    if start is None:
        return as_printed, "as_printed"
    if printed.hour > 12:
        return as_printed, ("as_printed" if as_printed >= start else "unresolved")
    shift = timedelta(hours=-12 if printed.hour == 12 else 12)
    candidates = [t for t in (as_printed, as_printed + shift) if t >= start]
    if not candidates:
        return as_printed, "unresolved"
    best = min(candidates, key=lambda t: t - start)
    return best, ("as_printed" if best == as_printed else "shifted_12h")


def parse_appsuite(line, padding="0"):
    segs = line.split("|")
    stamp = datetime.strptime(segs[0].strip(), "%Y-%m-%d %H:%M:%S")
    ids = segs[2].split()
    call_id = ids[0]
    rest = [s.strip() for s in segs[4:]]
    while rest and rest[-1] == "":
        rest.pop()
    event = rest[-1].strip(padding)
    groups = rest[:-1]
    if len(groups) >= 3:
        ddi, ddi_name, account = groups[0], groups[1], groups[2]
    elif len(groups) == 1:
        t = groups[0].split()
        ddi, ddi_name, account = (t + ["", ""])[0], "", (t + ["", ""])[1]
    else:
        ddi, ddi_name, account = (groups + ["", ""])[:2] + [""]
    try:
        call_start = datetime.strptime(call_id[:14], "%Y%m%d%H%M%S")
    except ValueError:
        call_start = None
    when, reading = resolve_time(stamp.date(), stamp.time(), call_start)

    def unpad(s):
        return "" if s and s.strip(padding) == "" else s

    return {
        "kind": "event",
        "timestamp": when,
        "time_reading": reading,
        "call_start": call_start,
        "direction": segs[1].strip(),
        "call_id": call_id,
        "trunk": ids[1].lstrip(padding),
        "extension": ids[2].lstrip(padding),
        "source_extension": ids[3].lstrip(padding),
        "number": ids[4].lstrip(padding),
        "contact_name": unpad(segs[3].strip()),
        "ddi": ddi.lstrip(padding),
        "ddi_name": unpad(ddi_name),
        "account_code": account.lstrip(padding),
        "event": event,
        "date": when.date(),
    }


def mivb_year(month, day, today):
    for back in range(8):
        try:
            d = date(today.year - back, month, day)
        except ValueError:
            continue
        if d <= today:
            return d
    return None


def parse_mivb(line, today):
    month, day = int(line[1:3]), int(line[4:6])
    hour, minute = int(line[7:9]), int(line[10:12])
    if line[12] in "Pp" and hour < 12:
        hour += 12
    h, m, s = (int(p) for p in line[14:22].split(":"))
    tta = field(line, 29, 32)
    return {
        "kind": "call",
        "long_call": field(line, 0, 1),
        "month": month,
        "day": day,
        "start": datetime(2000, 1, 1, hour, minute).time(),
        "duration_s": h * 3600 + m * 60 + s,
        "calling_party": field(line, 23, 27),
        "attendant": line[28] == "*",
        "time_to_answer_s": int(tta) if tta.isdigit() else None,
        "unanswered": tta == "***",
        "digits": field(line, 33, 59),
        "completion": field(line, 59, 60),
        "speed_forward": field(line, 60, 61),
        "called_party": field(line, 61, 65),
        "transfer_flag": field(line, 65, 66),
        "third_party": field(line, 67, 71),
        "account_code": field(line, 72, 84),
        "system_id": field(line, 85, 88),
        "date": mivb_year(month, day, today),
    }


def decode_line(line, state):
    fmt = detect(line) or state["last"]
    state["last"] = fmt
    try:
        if fmt == "appsuite":
            return parse_appsuite(line)
        if fmt == "mitel5000":
            return parse_5000(line, state["dates"])
        if fmt == "mivb":
            return parse_mivb(line, state["today"])
    except (ValueError, IndexError) as e:
        return {"kind": "unparsed", "error": str(e)}
    return {"kind": "unparsed", "error": "unknown layout"}


def new_state():
    return {"last": None, "dates": Mitel5000Dates(), "today": date(2026, 11, 29)}


def decode_capture(data):
    state, out, at = new_state(), [], 0
    while at + 4 <= len(data):
        (n,) = struct.unpack_from("<I", data, at)
        if n < 2 or n > 1024 or at + 4 + n > len(data):
            out.append({"kind": "unparsed", "error": "bad frame"})
            at += 1
            continue
        payload = data[at + 4 : at + 4 + n]
        at += 4 + n
        out.append(decode_line(payload.decode("utf-8", "replace").rstrip("\r\n"), state))
    return out


def decode_text(data):
    state = new_state()
    text = data.decode("utf-8", "replace")
    return [decode_line(line.rstrip("\r"), state) for line in text.split("\n") if line.strip()]


def measure(path, decode, runs=3):
    with open(path, "rb") as f:
        data = f.read()
    times, records = [], None
    for _ in range(runs):
        t = time.perf_counter()
        records = decode(data)
        times.append(time.perf_counter() - t)
    bad = sum(1 for r in records if r["kind"] == "unparsed")
    if bad:
        raise SystemExit(f"{path}: {bad} lines the Python decoder could not read")
    return len(data) / sorted(times)[len(times) // 2] / 1e6, len(records)


def record_fields(fmt, rec):
    """The fields `decode --as jsonl` writes for a record, after format, kind and source."""
    if rec["kind"] == "unparsed":
        return {"error": rec["error"]}
    iso = lambda d: d.isoformat() if d is not None else None
    if fmt == "mitel5000" and rec["kind"] == "header":
        when = rec.get("time")
        return {"date": iso(rec.get("date")), "start": when.strftime("%H:%M:%S") if when else None}
    if fmt == "mitel5000":
        keys = ("call_type", "ring_in", "extension", "trunk", "digits", "duration_s", "cost",
                "account_code", "trunk_disconnect")
        out = {"date": iso(rec["date"]), "start": rec["start"].strftime("%H:%M")}
        out.update((k, rec[k]) for k in keys)
        return out
    if fmt == "appsuite":
        keys = ("direction", "call_id", "trunk", "extension", "source_extension", "number",
                "contact_name", "ddi", "ddi_name", "account_code", "event")
        out = {"timestamp": rec["timestamp"].isoformat()}
        out.update((k, rec[k]) for k in keys)
        return out
    keys = ("duration_s", "calling_party", "called_party", "third_party", "digits",
            "time_to_answer_s", "completion", "transfer_flag", "attendant", "account_code",
            "long_call", "system_id")
    out = {"date": iso(rec["date"]), "start": rec["start"].strftime("%H:%M")}
    out.update((k, rec[k]) for k in keys)
    return out


def write_jsonl(path, out_path):
    """Decodes `path` (a capture or a text log) and writes one JSON object per record."""
    with open(path, "rb") as f:
        data = f.read()
    state = new_state()
    state["today"] = date.today()  # as `decode` infers MiVB years
    with open(out_path, "w", encoding="utf-8", newline="\n") as out:

        def emit(number, text):
            rec = decode_line(text, state)
            fmt = state["last"] if rec["kind"] != "unparsed" else (state["last"] or "unknown")
            obj = {"format": fmt, "kind": rec["kind"], "source": f"{path}:{number}"}
            obj.update(record_fields(fmt, rec))
            obj["raw"] = text
            out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")

        if path.endswith(".bin"):
            at, number = 0, 0
            while at + 4 <= len(data):
                (n,) = struct.unpack_from("<I", data, at)
                payload = data[at + 4 : at + 4 + n]
                at += 4 + n
                number += 1
                emit(number, payload.decode("utf-8", "replace").rstrip("\r\n"))
        else:
            for number, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
                if line.strip():
                    emit(number, line.rstrip("\r"))


def main():
    if sys.argv[1:2] == ["--write"]:
        write_jsonl(sys.argv[2], sys.argv[3])
        return
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/bench-data"
    for name, fmt, decode in [
        ("mitel5000.bin", "mitel5000", decode_capture),
        ("appsuite.txt", "appsuite", decode_text),
        ("mivb.txt", "mivb", decode_text),
    ]:
        mbps, n = measure(os.path.join(folder, name), decode)
        print(f"RESULT python_{fmt} {mbps:.2f} MB/s ({n} records)")


if __name__ == "__main__":
    main()
