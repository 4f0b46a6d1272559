package inbox

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// spanDay and spanWeek are the d and w of ParseSpan and FormatDuration: 24h
// and 7×24h of elapsed time, not calendar days, because a response time is a
// stopwatch reading and a DST change does not make a "1d" SLA longer.
const (
	spanDay  = 24 * time.Hour
	spanWeek = 7 * spanDay
)

// durationUnits are the units FormatDuration shows, largest first. Weeks are
// left out on purpose: "15d 3h" reads faster than "2w 1d".
var durationUnits = []struct {
	name string
	size time.Duration
}{
	{"d", spanDay}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second},
}

// FormatDuration renders a duration the way people read response times:
// "45s", "12m", "12m 30s", "2h 10m", "3d 4h", "0s". It shows at most two
// adjacent units, the largest non-zero one and the next, and drops the second
// when it is zero ("2h", not "2h 0m"). Smaller parts are truncated, never
// rounded up, so a reply at 59m59s never shows as "1h". Negative durations get
// a leading "-"; anything under a second, either way, is "0s".
func FormatDuration(d time.Duration) string {
	sign := ""
	// Work on the magnitude as uint64 so that -math.MinInt64 cannot overflow.
	mag := uint64(d)
	if d < 0 {
		sign = "-"
		mag = -mag
	}
	for i, u := range durationUnits {
		size := uint64(u.size)
		if mag < size {
			continue
		}
		out := sign + strconv.FormatUint(mag/size, 10) + u.name
		if i+1 < len(durationUnits) {
			next := durationUnits[i+1]
			if n := mag % size / uint64(next.size); n > 0 {
				out += " " + strconv.FormatUint(n, 10) + next.name
			}
		}
		return out
	}
	return "0s"
}

// spanUnits are the units ParseSpan accepts.
var spanUnits = map[string]time.Duration{
	"s": time.Second, "m": time.Minute, "h": time.Hour, "d": spanDay, "w": spanWeek,
}

const spanUnitList = "s, m, h, d, w"

// ParseSpan reads a span such as "90s", "15m", "2h", "7d", "2w" or "1h30m"
// into a duration. Parts may be separated by spaces, so what FormatDuration
// prints ("2h 10m") reads back. Numbers are whole and not negative; d is 24h
// and w is 7d. Errors quote the input and say what is wrong, e.g.
// `"7x": unknown unit "x" (want s, m, h, d, w)`.
func ParseSpan(s string) (time.Duration, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, fmt.Errorf("%q: empty span (want e.g. 90s, 15m, 2h, 7d, 2w)", s)
	}
	var total time.Duration
	for rest != "" {
		digits := rest[:countPrefix(rest, isDigit)]
		rest = rest[len(digits):]
		unit := rest[:countPrefix(rest, isUnitChar)]
		rest = strings.TrimLeft(rest[len(unit):], " ")

		switch {
		case digits == "" && strings.HasPrefix(unit, "-"):
			return 0, fmt.Errorf("%q: a span cannot be negative", s)
		case digits == "":
			return 0, fmt.Errorf("%q: want a number before %q", s, unit)
		case unit == "":
			return 0, fmt.Errorf("%q: missing unit after %s (want %s)", s, digits, spanUnitList)
		case strings.HasPrefix(unit, "."):
			return 0, fmt.Errorf("%q: want whole numbers, e.g. 1h30m rather than 1.5h", s)
		}
		size, ok := spanUnits[unit]
		if !ok {
			return 0, fmt.Errorf("%q: unknown unit %q (want %s)", s, unit, spanUnitList)
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || n > int64(math.MaxInt64/size) || time.Duration(n)*size > math.MaxInt64-total {
			return 0, fmt.Errorf("%q: too long (at most %s)", s, FormatDuration(math.MaxInt64))
		}
		total += time.Duration(n) * size
	}
	return total, nil
}

func countPrefix(s string, keep func(byte) bool) int {
	i := 0
	for i < len(s) && keep(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isUnitChar takes everything up to the next number or space as the unit, so
// that "5ms" reports the unit "ms" rather than a confusing "m" then "s".
func isUnitChar(c byte) bool { return !isDigit(c) && c != ' ' }
