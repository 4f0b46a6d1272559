#!/usr/bin/env bash
# bench/run.sh: whole-process benchmarks of triage, and (BENCH_PEERS=1) the peer
# comparison with neomutt, aerc and notmuch, printed as one table.
#
#   bench/run.sh                                  # 10k and 100k
#   BENCH_SIZES="10000 100000 1000000" bench/run.sh
#   BENCH_PEERS=1 BENCH_PEER_SIZES="10000 100000" bench/run.sh
#
# Environment: BENCH_SIZES (default "10000 100000"), BENCH_RUNS (timed runs per figure,
# default 3; the median is reported), BENCH_UI_RUNS (default 5), BENCH_PEERS (0/1),
# BENCH_PEER_SIZES (default: BENCH_SIZES), BENCH_DIR (work folder, default a new temp dir,
# kept so the data can be looked at), BENCH_SEED (default 1).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${BENCH_SIZES:-"10000 100000"}
RUNS=${BENCH_RUNS:-3}
UI_RUNS=${BENCH_UI_RUNS:-5}
PEERS=${BENCH_PEERS:-0}
PEER_SIZES=${BENCH_PEER_SIZES:-$SIZES}
SEED=${BENCH_SEED:-1}
W=${BENCH_DIR:-$(mktemp -d /tmp/triage-bench.XXXXXX)}
mkdir -p "$W/bin" "$W/home"
SOCK="triage-bench-$$"
TABLE="$W/table.tsv"
: >"$TABLE"

# Go keeps using the caches it has (they live under the real HOME).
export GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE) GOPATH=$(go env GOPATH)
# Everything runs in a HOME of its own: no user config, no user database, no cache.
export HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config" XDG_DATA_HOME="$W/home/.local/share" \
	XDG_STATE_HOME="$W/home/.local/state" XDG_CACHE_HOME="$W/home/.cache" TERM=xterm-256color
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"

log() { printf '%s\n' "$*" >&2; }
row() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$TABLE"; } # size, figure, target, measured
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "NA"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
tm() { tmux -L "$SOCK" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { log "bench: $1 is needed ($2)"; exit 1; }; }
need tmux "apt-get install tmux"
need /usr/bin/time "apt-get install time"
need python3 "apt-get install python3"
HYPERFINE=$(command -v hyperfine || true)

log "building into $W/bin"
(cd "$ROOT" && go build -o "$W/bin/triage" . && go build -o "$W/bin/gen" ./bench/gen && go build -o "$W/bin/bare" ./bench/bare)
T="$W/bin/triage"

# timeit NAME PREPARE CMD: median wall seconds of RUNS runs of CMD, PREPARE run before each.
timeit() {
	local name=$1 prep=$2 cmd=$3
	if [[ -n $HYPERFINE ]]; then
		"$HYPERFINE" -N --style none --runs "$RUNS" --prepare "$prep" --export-json "$W/$name.json" "$cmd" >/dev/null 2>&1 ||
			"$HYPERFINE" --style none --runs "$RUNS" --prepare "$prep" --export-json "$W/$name.json" "$cmd" >/dev/null
		python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$W/$name.json"
	else
		for _ in $(seq "$RUNS"); do
			bash -c "$prep"
			/usr/bin/time -f %e -o "$W/$name.t" bash -c "$cmd" >/dev/null
			cat "$W/$name.t"
		done | median
	fi
}

# first_frame SESSION PATTERN CMD...: start CMD in a detached 120x35 tmux pane and poll the
# pane every 20 ms until a line matches PATTERN (grep -E). Prints "MS PID"; the pane stays.
first_frame() {
	local s=$1 pat=$2
	shift 2
	local t0 t1 deadline
	t0=$(now_ms)
	tm new-session -d -s "$s" -x 120 -y 35 "exec $*"
	deadline=$((t0 + 120000))
	while :; do
		if tm capture-pane -p -t "$s" 2>/dev/null | grep -Eq -- "$pat"; then
			t1=$(now_ms)
			break
		fi
		if (($(now_ms) > deadline)); then
			log "bench: no list after 120 s in $s; the screen was:"
			tm capture-pane -p -t "$s" >&2 || true
			t1=-1
			break
		fi
		sleep 0.02
	done
	echo "$((t1 < 0 ? -1 : t1 - t0)) $(tm display-message -p -t "$s" '#{pane_pid}')"
}

# open_bench NAME PATTERN SETTLE CMD...: median first-frame ms over UI_RUNS runs and the
# largest peak RSS (VmHWM, MB) seen SETTLE seconds after the first frame.
open_bench() {
	local name=$1 pat=$2 settle=$3
	shift 3
	local out ms pid hwm
	: >"$W/$name.ms"
	: >"$W/$name.rss"
	for i in $(seq "$UI_RUNS"); do
		out=$(first_frame "$name$i" "$pat" "$@")
		ms=${out% *}
		pid=${out#* }
		sleep "$settle"
		hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		echo "$ms" >>"$W/$name.ms"
		echo "$hwm" >>"$W/$name.rss"
		tm kill-session -t "$name$i" 2>/dev/null || true
		sleep 0.3
	done
	echo "$(median <"$W/$name.ms") $(sort -g "$W/$name.rss" | tail -1 | awk '{printf "%.1f", $1/1024}')"
}

# search_keystroke DB: one keystroke of search as a person types it, whole process. In
# triage on DB the search "refundq" (no match) is settled; a backspace makes it "refund",
# a common word, and the time is from the key to a screen with both the new count and
# rows. Then "q" again, and so on: the median of UI_RUNS keystrokes, in ms. The pane is
# polled from one python process with no pause, so a poll costs one tmux client call
# (~2 ms) and no grep or date.
search_keystroke() {
	local db=$1 s="search-$$"
	tm new-session -d -s "$s" -x 120 -y 35 "exec $T --db $db"
	python3 - "$SOCK" "$s" "$UI_RUNS" "$TRIAGE_ROW" "$W/search.ms" <<-'PY'
		import re, subprocess, sys, time
		sock, s, runs, row, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), re.compile(sys.argv[4], re.M), sys.argv[5]
		none = re.compile(r"› Inbox 0 ")
		def tm(*a): return subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True).stdout
		def wait(done):
		    t0 = time.monotonic()
		    while not done(tm("capture-pane", "-p", "-t", s)):
		        time.sleep(0.005)
		        if time.monotonic() - t0 > 60: sys.exit("bench: search screen never came")
		wait(lambda sc: row.search(sc))
		tm("send-keys", "-t", s, "/"); tm("send-keys", "-t", s, "-l", "refundq")
		times = []
		for _ in range(runs):
		    wait(lambda sc: none.search(sc) and not row.search(sc))
		    time.sleep(0.3)
		    t0 = time.monotonic()
		    tm("send-keys", "-t", s, "BSpace")
		    wait(lambda sc: row.search(sc) and not none.search(sc))
		    times.append(round((time.monotonic() - t0) * 1000))
		    time.sleep(0.3)
		    tm("send-keys", "-t", s, "-l", "q")
		open(out, "w").write("\n".join(map(str, times)) + "\n")
	PY
	tm kill-session -t "$s" 2>/dev/null || true
	median <"$W/search.ms"
}

# Lines of triage's queue: "  CH  KIND FROM …", e.g. "  IG  dm   Maya …".
TRIAGE_ROW='^  [A-Z]{1,2} +[a-z]{2,4} +[^ ]'
# Every subject in the synthetic Maildir starts with its channel in brackets.
MAIL_ROW='\[(email|instagram|x|facebook|reddit|bluesky|mastodon)[] ]'

for n in $SIZES; do
	log "== $n messages"
	D="$W/$n"
	mkdir -p "$D"
	if [[ ! -f $D/in.jsonl ]]; then
		maildir=()
		if [[ $PEERS == 1 && " $PEER_SIZES " == *" $n "* ]]; then
			maildir=(-maildir "$D/mail/INBOX")
		fi
		"$W/bin/gen" -n "$n" -seed "$SEED" -jsonl "$D/in.jsonl" "${maildir[@]}"
	fi

	log "import (whole process, $RUNS runs)"
	imp=$(timeit "import-$n" "rm -f $D/imp.db $D/imp.db-wal $D/imp.db-shm" "$T import --db $D/imp.db $D/in.jsonl")
	bare=$(timeit "bare-$n" "rm -f $D/bare.db $D/bare.db-wal $D/bare.db-shm" "$W/bin/bare -db $D/bare.db $D/in.jsonl")
	barefts=$(timeit "barefts-$n" "rm -f $D/barefts.db $D/barefts.db-wal $D/barefts.db-shm" "$W/bin/bare -fts -db $D/barefts.db $D/in.jsonl")
	rate=$(awk -v n="$n" -v s="$imp" 'BEGIN {printf "%.0f", n/s}')
	brate=$(awk -v n="$n" -v s="$bare" 'BEGIN {printf "%.0f", n/s}')
	row "$n" "import, whole process (msgs/s)" ">= 50000" "$rate ($imp s)"
	row "$n" "bare batched insert, one table (msgs/s)" "-" "$brate ($bare s)"
	row "$n" "import / bare" ">= 0.5" "$(awk -v a="$rate" -v b="$brate" 'BEGIN {printf "%.3f", a/b}')"
	row "$n" "bare insert + full-text index, one table (msgs/s)" "-" "$(awk -v n="$n" -v s="$barefts" 'BEGIN {printf "%.0f", n/s}') ($barefts s)"

	# One more import, for the database the rest reads and for its peak memory.
	rm -f "$D/t.db" "$D/t.db-wal" "$D/t.db-shm"
	/usr/bin/time -f "%e %M" -o "$D/import.time" "$T" import --db "$D/t.db" "$D/in.jsonl" >/dev/null
	"$T" stats --db "$D/t.db" --json >/dev/null # a read checkpoints nothing, but settles the file
	row "$n" "import peak RSS (MB)" "-" "$(awk '{printf "%.1f", $2/1024}' "$D/import.time")"
	bytes=$(du -cb "$D"/t.db* | tail -1 | cut -f1)
	row "$n" "database bytes per message (db+wal)" "-" "$(awk -v b="$bytes" -v n="$n" 'BEGIN {printf "%.0f", b/n}')"

	log "stats --json --since 30d --by channel"
	st=$(timeit "stats-$n" "true" "$T stats --db $D/t.db --json --since 30d --by channel")
	row "$n" "stats --json --since 30d --by channel (ms)" "<= 300" "$(awk -v s="$st" 'BEGIN {printf "%.0f", s*1000}')"

	log "UI: time to first frame and peak RSS ($UI_RUNS runs)"
	read -r ms rss < <(open_bench "triage-$n-" "$TRIAGE_ROW" 1 "$T" --db "$D/t.db")
	row "$n" "UI start to first full frame, tmux 120x35 (ms)" "<= 100" "$ms"
	row "$n" "UI peak RSS after first frame (MB)" "<= 80, flat" "$rss"
	log "UI: a keystroke of search ($UI_RUNS keys)"
	row "$n" "search as you type, one key to its screen, tmux (ms)" "<= 50" "$(search_keystroke "$D/t.db")"

	if [[ $PEERS == 1 && " $PEER_SIZES " == *" $n "* ]]; then
		for tool in neomutt aerc notmuch; do
			command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neomutt aerc notmuch >/dev/null; }
		done
		M="$D/mail/INBOX"

		# triage imports the Maildir itself (the brand's addresses as the synthetic mail
		# uses them: adapters/synth brandAddress) and opens what it imported.
		addrs="support@acme.example"
		for ch in instagram x facebook reddit bluesky mastodon; do addrs="$addrs,$ch@acme.synth.example"; done
		log "triage import of the Maildir ($RUNS runs)"
		mdimp=$(timeit "mdimport-$n" "rm -f $D/md.db $D/md.db-wal $D/md.db-shm" "$T import --db $D/md.db --address $addrs $M")
		rm -f "$D/md.db" "$D/md.db-wal" "$D/md.db-shm"
		/usr/bin/time -f "%e %M" -o "$D/mdimport.time" "$T" import --db "$D/md.db" --address "$addrs" "$M" >/dev/null
		row "$n" "peer: triage import of the Maildir (s)" "-" "$mdimp"
		row "$n" "peer: triage import of the Maildir, peak RSS (MB)" "-" "$(awk '{printf "%.1f", $2/1024}' "$D/mdimport.time")"
		read -r ms rss < <(open_bench "triage-md-$n-" "$TRIAGE_ROW" 1 "$T" --db "$D/md.db")
		row "$n" "peer: triage first list screen, Maildir imported (ms)" "<= 120" "$ms"
		row "$n" "peer: triage peak RSS, Maildir imported (MB)" "<= 28 MiB (29.4)" "$rss"

		# neomutt, warm header cache: one untimed run fills it.
		cat >"$HOME/.neomuttrc" <<-RC
			set mbox_type=Maildir
			set folder="$D/mail"
			set spoolfile="$M"
			set header_cache="$XDG_CACHE_HOME/neomutt-$n/"
			set quit=yes
			set mail_check_stats=no
			set sort=date
		RC
		mkdir -p "$XDG_CACHE_HOME/neomutt-$n"
		log "neomutt (warming the header cache)"
		open_bench "neomutt-warm-$n-" "$MAIL_ROW" 1 neomutt -n -F "$HOME/.neomuttrc" -f "$M" >/dev/null
		read -r ms rss < <(open_bench "neomutt-$n-" "$MAIL_ROW" 1 neomutt -n -F "$HOME/.neomuttrc" -f "$M")
		row "$n" "peer: neomutt first list screen, warm hcache (ms)" "-" "$ms"
		row "$n" "peer: neomutt peak RSS (MB)" "-" "$rss"

		log "aerc"
		mkdir -p "$XDG_CONFIG_HOME/aerc"
		cat >"$XDG_CONFIG_HOME/aerc/accounts.conf" <<-RC
			[bench]
			source = maildir://$D/mail
			default = INBOX
			from = Bench <bench@example.com>
		RC
		chmod 600 "$XDG_CONFIG_HOME/aerc/accounts.conf"
		read -r ms rss < <(open_bench "aerc-$n-" "$MAIL_ROW" 2 aerc)
		row "$n" "peer: aerc first list screen (ms)" "-" "$ms"
		row "$n" "peer: aerc peak RSS (MB)" "-" "$rss"

		log "notmuch new"
		cat >"$D/notmuch.cfg" <<-RC
			[database]
			path=$D/mail
			[user]
			name=Bench
			primary_email=bench@example.com
			[new]
			tags=unread;inbox;
		RC
		rm -rf "$D/mail/.notmuch"
		/usr/bin/time -f "%e %M" -o "$D/notmuch.time" notmuch --config="$D/notmuch.cfg" new >/dev/null
		row "$n" "peer: notmuch new, first index (s)" "-" "$(cut -d' ' -f1 "$D/notmuch.time")"
		row "$n" "peer: notmuch new peak RSS (MB)" "-" "$(awk '{printf "%.1f", $2/1024}' "$D/notmuch.time")"
		row "$n" "triage import, same messages as JSON Lines (s)" "-" "$imp"
		rm -rf "$D/mail/.notmuch" # so neomutt and aerc see a plain Maildir next time
	fi
done

log ""
{
	printf 'size\tfigure\ttarget\tmeasured\n'
	cat "$TABLE"
} | column -t -s $'\t'
log "(data and raw timings in $W)"
