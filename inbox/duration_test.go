package inbox

import (
	"math"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"}, // truncated, not rounded
		{45 * time.Second, "45s"},
		{45*time.Second + 900*time.Millisecond, "45s"},
		{12 * time.Minute, "12m"},
		{12*time.Minute + 30*time.Second, "12m 30s"},
		{59*time.Minute + 59*time.Second, "59m 59s"}, // not "1h"
		{time.Hour, "1h"},
		{2*time.Hour + 10*time.Minute, "2h 10m"},
		{2*time.Hour + 10*time.Minute + 59*time.Second, "2h 10m"}, // seconds dropped
		{2*time.Hour + 5*time.Second, "2h"},                       // only adjacent units: the 0m hides the 5s
		{24 * time.Hour, "1d"},
		{3*24*time.Hour + 4*time.Hour + 59*time.Minute, "3d 4h"},
		{15 * 24 * time.Hour, "15d"}, // no weeks
		{-90 * time.Second, "-1m 30s"},
		{-2*time.Hour - 10*time.Minute, "-2h 10m"},
		{-500 * time.Millisecond, "0s"},
		// 2^63-1 ns = 9223372036.854775807s = 106751d 23h 47m 16s.
		{math.MaxInt64, "106751d 23h"},
		// 2^63 ns must not overflow when negated.
		{math.MinInt64, "-106751d 23h"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestParseSpan(t *testing.T) {
	good := []struct {
		in   string
		want time.Duration
	}{
		{"90s", 90 * time.Second},
		{"15m", 15 * time.Minute},
		{"2h", 2 * time.Hour},
		{"7d", 7 * 24 * time.Hour},
		{"2w", 14 * 24 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"1w2d3h4m5s", (9*24+3)*time.Hour + 4*time.Minute + 5*time.Second},
		{"2h 10m", 2*time.Hour + 10*time.Minute}, // what FormatDuration prints
		{" 3d 4h ", 3*24*time.Hour + 4*time.Hour},
		{"0s", 0},
		{"007m", 7 * time.Minute},
	}
	for _, tt := range good {
		got, err := ParseSpan(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}

	bad := []struct{ in, want string }{
		{"", `"": empty span (want e.g. 90s, 15m, 2h, 7d, 2w)`},
		{"   ", `"   ": empty span (want e.g. 90s, 15m, 2h, 7d, 2w)`},
		{"7x", `"7x": unknown unit "x" (want s, m, h, d, w)`},
		{"5ms", `"5ms": unknown unit "ms" (want s, m, h, d, w)`},
		{"2H", `"2H": unknown unit "H" (want s, m, h, d, w)`},
		{"15", `"15": missing unit after 15 (want s, m, h, d, w)`},
		{"1h30", `"1h30": missing unit after 30 (want s, m, h, d, w)`},
		{"h", `"h": want a number before "h"`},
		{"-5m", `"-5m": a span cannot be negative`},
		{"1.5h", `"1.5h": want whole numbers, e.g. 1h30m rather than 1.5h`},
		// 15251w = 106757d, past the 106751d a time.Duration holds.
		{"15251w", `"15251w": too long (at most 106751d 23h)`},
		{"99999999999999999999s", `"99999999999999999999s": too long (at most 106751d 23h)`},
		// Each part fits, the sum does not.
		{"15250w 15250w", `"15250w 15250w": too long (at most 106751d 23h)`},
	}
	for _, tt := range bad {
		got, err := ParseSpan(tt.in)
		if err == nil {
			t.Errorf("ParseSpan(%q) = %v, want error %s", tt.in, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParseSpan(%q) error:\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

// Whatever FormatDuration prints for a whole number of seconds under two
// units reads back exactly with ParseSpan.
func TestDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, 45 * time.Second, 12*time.Minute + 30*time.Second, 2*time.Hour + 10*time.Minute, 3*24*time.Hour + 4*time.Hour} {
		got, err := ParseSpan(FormatDuration(d))
		if err != nil || got != d {
			t.Errorf("ParseSpan(FormatDuration(%v)) = %v, %v", d, got, err)
		}
	}
}
