#!/usr/bin/env python3
"""The backfill written as one plain single-threaded script, the yardstick of benchmark-backfill.

Parse clicks (JSON Lines) and sales (CSV) and profiles (CSV) under the data contract, drop what
the contract rejects, deduplicate by event id (profiles by customer id), replace customer ids by
their HMAC-SHA256 pseudonym, sort each customer's events, slide the feature windows and write one
JSON line per event. It computes the same rows as `./pipeline backfill` (the benchmark checks
that), with the same floating-point steps, but none of its dead letters, summary or partitions.

usage: reference_backfill.py --clicks=GLOB --sales=GLOB --profiles=GLOB --key-file=FILE
       --spec=FILE --fingerprint=FP --countries="AD AE ..." --now-millis=N --max-line-bytes=N --out=FILE
"""
import bisect
import datetime
import glob
import hashlib
import hmac
import json
import re
import sys

DAY = 86_400_000
MIN_TIME = 946_684_800_000  # 2000-01-01T00:00:00Z
TIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2}(?::\d{2})?)\Z")
DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
INT_RE = re.compile(r"[+-]?\d+\Z")
NUM_CHARS = set("0123456789.-+eE")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")


class Bad(Exception):
    pass


def lines(pattern):
    """Lines as the jobs frame them: at \\n, \\r or \\r\\n, no empty last line; a line that is not
    valid UTF-8 comes out as None (the jobs make it an invalid_utf8 dead letter). CSV records with
    quoted line breaks are not framed as one record here: the generated data has none."""
    for path in sorted(glob.glob(pattern)):
        with open(path, "rb") as f:
            parts = LINE_BREAK_BYTES.split(f.read())
        if parts and parts[-1] == b"":
            parts.pop()
        for part in parts:
            try:
                yield part.decode("utf-8")
            except UnicodeDecodeError:
                yield None


def normalise(line):
    if line.startswith("\ufeff"):
        line = line[1:]
    if line.endswith("\r"):
        line = line[:-1]
    if line.strip() == "":
        raise Bad("blank_line")
    return line


def required(v):
    if v is None or not isinstance(v, str) or v.strip() == "":
        raise Bad("missing_required_field")
    return v


def instant_millis(text):
    m = TIME_RE.match(required(text))
    if not m:
        raise Bad("unparseable_timestamp")
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        local = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        raise Bad("unparseable_timestamp")
    if off in ("Z", "z"):
        offset = 0
    else:
        sign = -1 if off[0] == "-" else 1
        hh, mm = int(off[1:3]), int(off[4:6])
        ss = int(off[7:9]) if len(off) > 6 else 0
        if hh > 18 or mm > 59 or ss > 59:
            raise Bad("unparseable_timestamp")
        offset = sign * (hh * 3600 + mm * 60 + ss)
    seconds = (local.replace(tzinfo=datetime.timezone.utc) - EPOCH) // datetime.timedelta(seconds=1) - offset
    millis = int((frac or "0").ljust(9, "0")[:3])
    return seconds * 1000 + millis


def epoch_day(text):
    m = DATE_RE.match(required(text))
    if not m:
        raise Bad("unparseable_timestamp")
    try:
        return (datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) - datetime.date(1970, 1, 1)).days
    except ValueError:
        raise Bad("unparseable_timestamp")


def integer(text):
    text = required(text)
    if not INT_RE.match(text):
        raise Bad("wrong_type")
    v = int(text)
    if v < -2**31 or v >= 2**31:
        raise Bad("wrong_type")
    return v


def decimal(text):
    if not set(text) <= NUM_CHARS:
        raise Bad("wrong_type")
    try:
        v = float(text)
    except ValueError:
        raise Bad("wrong_type")
    if v in (float("inf"), float("-inf")):
        raise Bad("wrong_type")
    return v


def one_of(text, allowed):
    text = required(text)
    if text not in allowed:
        raise Bad("unknown_enum_value")
    return text


def no_constants(name):
    raise ValueError(name)


def json_object(line):
    seen_twice = []

    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            seen_twice.append(True)
        return dict(items)

    try:
        value = json.loads(line, object_pairs_hook=pairs, parse_constant=no_constants)
    except (ValueError, RecursionError):
        raise Bad("malformed_json")
    if not isinstance(value, dict) or seen_twice:
        raise Bad("malformed_json")
    return value


def string_field(obj, name):
    v = obj.get(name)
    if v is not None and not isinstance(v, str):
        raise Bad("wrong_type")
    return v


def click(line, now):
    obj = json_object(normalise(line))
    t = instant_millis(string_field(obj, "event_time"))
    event_id = required(string_field(obj, "event_id"))
    customer_id = required(string_field(obj, "customer_id"))
    event_type = one_of(string_field(obj, "event_type"), ("view", "click", "add_to_cart"))
    required(string_field(obj, "product_id"))
    price = obj.get("price")
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, (int, float)):
            raise Bad("wrong_type")
        price = float(price)
        if price in (float("inf"), float("-inf")):
            raise Bad("wrong_type")
    required(string_field(obj, "session_id"))
    channel = one_of(string_field(obj, "channel"), ("web", "app", "email"))
    if price is not None and price < 0:
        raise Bad("price_not_negative")
    if not MIN_TIME <= t <= now + DAY:
        raise Bad("event_time_plausible")
    return event_id, customer_id, (t, event_id, event_type, channel, price)


def csv_split(line):
    fields, pos, n = [], 0, len(line)
    while True:
        if pos < n and line[pos] == '"':
            pos += 1
            value = []
            while True:
                q = line.find('"', pos)
                if q < 0:
                    raise Bad("malformed_csv")
                if q + 1 < n and line[q + 1] == '"':
                    value.append(line[pos:q + 1])
                    pos = q + 2
                    continue
                value.append(line[pos:q])
                pos = q + 1
                if pos < n and line[pos] != ",":
                    raise Bad("malformed_csv")
                fields.append("".join(value))
                break
        else:
            end = line.find(",", pos)
            end = n if end < 0 else end
            if '"' in line[pos:end]:
                raise Bad("malformed_csv")
            fields.append(line[pos:end])
            pos = end
        if pos >= n:
            return fields
        pos += 1


def is_header(line, columns):
    text = line.lstrip("\ufeff")
    text = text[:-1] if text.endswith("\r") else text
    text = text.strip()
    if text == ",".join(columns):
        return True
    offset = 1 if text.startswith('"') else 0
    if text[offset:offset + len(columns[0])].lower() != columns[0].lower():
        return False
    try:
        values = csv_split(text)
    except Bad:
        return False
    return len(values) == len(columns) and all(v.strip().lower() == c.lower() for v, c in zip(values, columns))


def csv_record(line, columns):
    values = csv_split(normalise(line))
    if len(values) != len(columns):
        raise Bad("wrong_field_count")
    return dict(zip(columns, values))


SALES = ["order_id", "customer_id", "product_id", "quantity", "amount", "currency", "order_time"]
PROFILES = ["customer_id", "age", "gender", "country", "signup_date"]


def sale(line, now):
    r = csv_record(line, SALES)
    t = instant_millis(r["order_time"])
    order_id = required(r["order_id"])
    customer_id = required(r["customer_id"])
    required(r["product_id"])
    quantity = integer(r["quantity"])
    amount = decimal(required(r["amount"]))
    required(r["currency"])
    if amount < 0:
        raise Bad("amount_not_negative")
    if quantity <= 0:
        raise Bad("quantity_positive")
    if not MIN_TIME <= t <= now + DAY:
        raise Bad("event_time_plausible")
    return order_id, customer_id, (t, order_id, "order", None, amount)


def profile(line, now, countries):
    r = csv_record(line, PROFILES)
    customer_id = required(r["customer_id"])
    age = integer(r["age"])
    gender = one_of(r["gender"], ("F", "M", "X"))
    country = one_of(r["country"], countries)
    signup = epoch_day(r["signup_date"])
    if not 0 <= age <= 120:
        raise Bad("age_in_range")
    if not MIN_TIME // DAY <= signup <= (now + DAY) // DAY:
        raise Bad("signup_date_plausible")
    return customer_id, (age, gender, country, signup)


def window_millis(text):
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", text)
    d, h, mi, s = (int(g or 0) for g in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60_000 + s * 1000


class Sum:
    """Neumaier's compensated sum, step for step as FeatureCalculator keeps it."""
    __slots__ = ("matched", "contributing", "sum", "comp")

    def __init__(self):
        self.matched = self.contributing = 0
        self.sum = self.comp = 0.0

    def add(self, x):
        self.matched += 1
        if x is None:
            return
        self.contributing += 1
        self._add(x)

    def remove(self, x):
        self.matched -= 1
        if x is None:
            return
        self.contributing -= 1
        if self.contributing == 0:
            self.sum = self.comp = 0.0
        else:
            self._add(-x)

    def _add(self, x):
        s = self.sum + x
        if abs(self.sum) >= abs(x):
            self.comp += (self.sum - s) + x
        else:
            self.comp += (x - s) + self.sum
        self.sum = s


def iso(millis):
    seconds, ms = divmod(millis, 1000)
    text = (EPOCH + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".%03d" % ms if ms else "") + "Z"


def main(argv):
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--"))
    now = int(opts["now-millis"])
    max_bytes = int(opts["max-line-bytes"])
    countries = frozenset(opts["countries"].split())
    with open(opts["key-file"], "rb") as f:
        key = f.read().rstrip(b"\r\n")
    spec = json.load(open(opts["spec"]))
    fingerprint = opts["fingerprint"]

    events, seen = {}, set()
    for source, pattern, parse in (("clicks", opts["clicks"], click), ("sales", opts["sales"], sale)):
        header = SALES if source == "sales" else None
        for line in lines(pattern):
            if line is None:
                continue
            if header and is_header(line, header):
                continue
            try:
                if len(line.encode("utf-8")) > max_bytes:
                    raise Bad("line_too_long")
                event_id, customer_id, event = parse(line, now)
            except Bad:
                continue
            if event_id in seen:
                continue
            seen.add(event_id)
            events.setdefault(customer_id, []).append(event)
    profiles = {}
    for line in lines(opts["profiles"]):
        if line is None or is_header(line, PROFILES):
            continue
        try:
            if len(line.encode("utf-8")) > max_bytes:
                raise Bad("line_too_long")
            customer_id, p = profile(line, now, countries)
        except Bad:
            continue
        profiles.setdefault(customer_id, p)

    event_features, columns = [], []
    for f in spec["features"]:
        if f["kind"] == "event":
            if f["aggregation"] not in ("count", "sum"):
                raise SystemExit("the reference computes count and sum features only, not " + f["aggregation"])
            columns.append(("event", len(event_features)))
            event_features.append((f["name"], set(f.get("event_types") or []) or None,
                                   set(f.get("channels") or []) or None, f["aggregation"],
                                   window_millis(f["window"]), f.get("when_empty", "zero") == "zero"))
        else:
            columns.append(("profile", f["name"], f["field"]))
    windows = sorted({f[4] for f in event_features})
    by_window = [[i for i, f in enumerate(event_features) if f[4] == w] for w in windows]

    out = open(opts["out"], "w", encoding="utf-8")
    mac = hmac.new(key, digestmod=hashlib.sha256)
    dumps = json.dumps
    for customer_id, evs in events.items():
        m = mac.copy()
        m.update(customer_id.encode("utf-8"))
        customer_key = m.hexdigest()
        # EVENT_ORDER: time, id, type, channel and amount (null first); the key is the same for all.
        evs.sort(key=lambda e: (e[0], e[1], e[2], e[3] is not None, e[3] or "", e[4] is not None, e[4] or 0.0))
        p = profiles.get(customer_id)
        matches = [[(ft is None or e[2] in ft) and (fc is None or (e[3] is not None and e[3] in fc))
                    for (_, ft, fc, _, _, _) in event_features] for e in evs]
        accs = [Sum() for _ in event_features]
        low = [0] * len(windows)
        high, i, n = 0, 0, len(evs)
        while i < n:
            t = evs[i][0]
            while high < n and evs[high][0] <= t:
                for f, acc in enumerate(accs):
                    if matches[high][f]:
                        acc.add(evs[high][4])
                high += 1
            for w, window in enumerate(windows):
                start = t - window
                while low[w] < high and evs[low[w]][0] <= start:
                    for f in by_window[w]:
                        if matches[low[w]][f]:
                            accs[f].remove(evs[low[w]][4])
                    low[w] += 1
            values = []
            for f, acc in enumerate(accs):
                empty = acc.matched == 0 if event_features[f][3] == "count" else acc.contributing == 0
                if empty:
                    values.append(0.0 if event_features[f][5] else None)
                elif event_features[f][3] == "count":
                    values.append(float(acc.matched))
                else:
                    values.append(acc.sum + acc.comp)
            while i < n and evs[i][0] == t:
                e = evs[i]
                row = {"event_id": e[1], "customer_key": customer_key, "event_time": iso(t),
                       "event_type": e[2], "spec_fingerprint": fingerprint}
                for c in columns:
                    if c[0] == "event":
                        row[event_features[c[1]][0]] = values[c[1]]
                    elif p is None:
                        row[c[1]] = None
                    else:
                        age, gender, country, signup = p
                        tenure = t // DAY - signup
                        row[c[1]] = {"age": float(age), "gender": gender, "country": country,
                                     "signup_date": float(signup),
                                     # missing, not negative, when the signup is after the event's date
                                     "tenure_days": float(tenure) if tenure >= 0 else None}[c[2]]
                out.write(dumps(row))
                out.write("\n")
                i += 1
    out.close()


if __name__ == "__main__":
    main(sys.argv[1:])
