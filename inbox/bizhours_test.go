package inbox

import (
	"slices"
	"testing"
	"time"
)

// Calendar facts the expectations below rely on (2026):
//   - 2026-04-15 is a Wednesday, 2026-05-01 and 2026-06-12 Fridays,
//     2026-12-25 a Friday; 2026-03-29, 2026-10-25 and 2026-03-08 Sundays.
//   - Europe/Madrid is CET (UTC+1) in winter and CEST (UTC+2) in summer. On
//     2026-03-29 at 01:00 UTC the clock jumps 02:00 -> 03:00; on 2026-10-25 at
//     01:00 UTC it goes back 03:00 -> 02:00.
//   - America/New_York jumps 02:00 EST -> 03:00 EDT on 2026-03-08 at 07:00 UTC.

// office: weekdays 09:00-13:00 and 14:00-18:00 (8h a day), two holidays.
var officeConfig = BusinessHoursConfig{
	Timezone: "Europe/Madrid",
	Days: map[string]string{
		"mon": "09:00-13:00,14:00-18:00",
		"tue": "09:00-13:00,14:00-18:00",
		"wed": "09:00-13:00,14:00-18:00",
		"thu": "09:00-13:00,14:00-18:00",
		"fri": "09:00-13:00,14:00-18:00",
	},
	Holidays: []string{"2026-05-01", "2026-12-25"},
}

// everyday: 09:00-17:00 every day, plus a night shift 01:00-04:00 on Sunday,
// which is the night the clocks change.
func everydayConfig(tz string) BusinessHoursConfig {
	days := map[string]string{"sun": "01:00-04:00,09:00-17:00"}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat"} {
		days[d] = "09:00-17:00"
	}
	return BusinessHoursConfig{Timezone: tz, Days: days}
}

func mustBusinessHours(t testing.TB, c BusinessHoursConfig) *BusinessHours {
	t.Helper()
	b, err := NewBusinessHours(c)
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		t.Fatal("NewBusinessHours returned nil for a config with days")
	}
	return b
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// wall reads "2006-01-02 15:04" as a local time in loc. Avoid times in the
// fall-back hour here; use utc for those.
func wall(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func utc(t testing.TB, s string) time.Time { return wall(t, time.UTC, s) }

func TestBusinessHoursBetween(t *testing.T) {
	mad := mustLoc(t, "Europe/Madrid")
	m := func(s string) time.Time { return wall(t, mad, s) }
	office := mustBusinessHours(t, officeConfig)

	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		// 10:00-13:00 = 3h, lunch, 14:00-15:30 = 1h30 -> 4h30.
		{"same day", m("2026-04-15 10:00"), m("2026-04-15 15:30"), 4*time.Hour + 30*time.Minute},
		// Same instants given in UTC (CEST is UTC+2): the zone of the
		// arguments does not matter.
		{"arguments in UTC", utc(t, "2026-04-15 08:00"), utc(t, "2026-04-15 13:30"), 4*time.Hour + 30*time.Minute},
		// Both inside the night Wed 18:00 -> Thu 09:00.
		{"within one night", m("2026-04-15 19:00"), m("2026-04-16 08:00"), 0},
		// Both inside lunch 13:00-14:00.
		{"within lunch", m("2026-04-15 13:10"), m("2026-04-15 13:50"), 0},
		// Wed 16:00-18:00 = 2h, Thu 09:00-10:30 = 1h30 -> 3h30.
		{"crossing a night", m("2026-04-15 16:00"), m("2026-04-16 10:30"), 3*time.Hour + 30*time.Minute},
		// Fri 17:00-18:00 = 1h, Sat and Sun closed, Mon 09:00-09:45 = 45m.
		{"friday evening to monday", m("2026-06-12 17:00"), m("2026-06-15 09:45"), time.Hour + 45*time.Minute},
		// Thu 17:00-18:00 = 1h, Fri 1 May holiday, weekend, Mon 09:00-10:00 = 1h.
		{"holiday then weekend", m("2026-04-30 17:00"), m("2026-05-04 10:00"), 2 * time.Hour},
		// Wed 23rd 12:00-13:00 + 14:00-18:00 = 5h, Thu 24th 8h,
		// Fri 25th holiday, weekend, Mon 28th 09:00-12:00 = 3h -> 16h.
		{"christmas", m("2026-12-23 12:00"), m("2026-12-28 12:00"), 16 * time.Hour},
		// Mon 1 June to Mon 15 June: two whole weeks, 10 days x 8h.
		{"two weeks", m("2026-06-01 09:00"), m("2026-06-15 09:00"), 80 * time.Hour},
		// April 2026 starts on a Wednesday: 3+5+5+5+4 = 22 working days x 8h.
		{"a month", m("2026-04-01 00:00"), m("2026-05-01 00:00"), 176 * time.Hour},
		{"to before from", m("2026-04-15 15:00"), m("2026-04-15 10:00"), 0},
		{"to equals from", m("2026-04-15 10:00"), m("2026-04-15 10:00"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := office.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestBusinessHoursDST(t *testing.T) {
	mad := mustLoc(t, "Europe/Madrid")
	ny := mustLoc(t, "America/New_York")
	m := func(s string) time.Time { return wall(t, mad, s) }
	n := func(s string) time.Time { return wall(t, ny, s) }

	madEvery := mustBusinessHours(t, everydayConfig("Europe/Madrid"))
	nyEvery := mustBusinessHours(t, everydayConfig("America/New_York"))
	madAllSunday := mustBusinessHours(t, BusinessHoursConfig{Timezone: "Europe/Madrid", Days: map[string]string{"sun": "00:00-24:00"}})
	nyAllSunday := mustBusinessHours(t, BusinessHoursConfig{Timezone: "America/New_York", Days: map[string]string{"sun": "00:00-24:00"}})
	// A span that starts inside the hour that is skipped or repeated.
	madOddSunday := mustBusinessHours(t, BusinessHoursConfig{Timezone: "Europe/Madrid", Days: map[string]string{"sun": "02:30-05:00"}})

	tests := []struct {
		name     string
		b        *BusinessHours
		from, to time.Time
		want     time.Duration
	}{
		// The day span is local 09:00-17:00 whatever the offset: 8h.
		{"madrid spring-forward day span", madEvery, m("2026-03-29 05:00"), m("2026-03-29 20:00"), 8 * time.Hour},
		{"madrid fall-back day span", madEvery, m("2026-10-25 05:00"), m("2026-10-25 20:00"), 8 * time.Hour},
		{"new york spring-forward day span", nyEvery, n("2026-03-08 05:00"), n("2026-03-08 20:00"), 8 * time.Hour},
		// Sat 20:00 -> Mon 08:00 covers all of Sunday. The night span
		// 01:00 CET (00:00 UTC) -> 04:00 CEST (02:00 UTC) lasts 2h, not 3h;
		// plus 09:00-17:00 = 8h -> 10h.
		{"madrid spring-forward night", madEvery, m("2026-03-28 20:00"), m("2026-03-30 08:00"), 10 * time.Hour},
		// 01:00 CEST (Sat 23:00 UTC) -> 04:00 CET (03:00 UTC) lasts 4h; + 8h -> 12h.
		{"madrid fall-back night", madEvery, m("2026-10-24 20:00"), m("2026-10-26 08:00"), 12 * time.Hour},
		// 01:00 EST (06:00 UTC) -> 04:00 EDT (08:00 UTC) = 2h; + 8h -> 10h.
		{"new york spring-forward night", nyEvery, n("2026-03-07 20:00"), n("2026-03-09 08:00"), 10 * time.Hour},
		// Inside the night span, across the jump: 01:30 CET = 00:30 UTC to
		// 03:30 CEST = 01:30 UTC is 1h of real time.
		{"across the jump itself", madEvery, utc(t, "2026-03-29 00:30"), utc(t, "2026-03-29 01:30"), time.Hour},
		// Whole local days: 23h when clocks go forward, 25h when they go back.
		{"madrid 23-hour sunday", madAllSunday, m("2026-03-28 12:00"), m("2026-03-30 12:00"), 23 * time.Hour},
		{"madrid 25-hour sunday", madAllSunday, m("2026-10-24 12:00"), m("2026-10-26 12:00"), 25 * time.Hour},
		// Sat 12:00 -> Mon 12:00 New York: only Sunday is open, 23h long.
		{"new york 23-hour sunday", nyAllSunday, n("2026-03-07 12:00"), n("2026-03-09 12:00"), 23 * time.Hour},
		// 02:30 never shows on 29 March; the office opens when the clock
		// jumps to 03:00 CEST (01:00 UTC) and closes at 05:00 CEST
		// (03:00 UTC) -> 2h.
		{"opening in the skipped hour", madOddSunday, m("2026-03-28 12:00"), m("2026-03-30 12:00"), 2 * time.Hour},
		// 02:30 shows twice on 25 October; the first, 02:30 CEST
		// (00:30 UTC), counts. Until 05:00 CET (04:00 UTC) -> 3h30.
		{"opening in the repeated hour", madOddSunday, m("2026-10-24 12:00"), m("2026-10-26 12:00"), 3*time.Hour + 30*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestBusinessHoursAdd(t *testing.T) {
	mad := mustLoc(t, "Europe/Madrid")
	m := func(s string) time.Time { return wall(t, mad, s) }
	office := mustBusinessHours(t, officeConfig)
	every := mustBusinessHours(t, everydayConfig("Europe/Madrid"))

	tests := []struct {
		name string
		b    *BusinessHours
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within a span", office, m("2026-04-15 10:00"), 2 * time.Hour, m("2026-04-15 12:00")},
		// 12:00-13:00 = 1h, lunch, 14:00 + 1h.
		{"across lunch", office, m("2026-04-15 12:00"), 2 * time.Hour, m("2026-04-15 15:00")},
		// Due exactly at closing: 18:00, not next morning at 09:00.
		{"ends at closing", office, m("2026-04-15 16:00"), 2 * time.Hour, m("2026-04-15 18:00")},
		// Arrives after hours: the clock starts Thu 09:00.
		{"from off hours", office, m("2026-04-15 20:00"), time.Hour, m("2026-04-16 10:00")},
		// Fri 16:00-18:00 = 2h, weekend, Mon 09:00 + 2h.
		{"across a weekend", office, m("2026-06-12 16:00"), 4 * time.Hour, m("2026-06-15 11:00")},
		// Thu 17:00-18:00 = 1h, Fri 1 May holiday, weekend, Mon 09:00 + 2h.
		{"across holiday and weekend", office, m("2026-04-30 17:00"), 3 * time.Hour, m("2026-05-04 11:00")},
		// Thu 24th 15:00-18:00 = 3h, Fri 25th holiday, weekend,
		// Mon 28th 09:00-13:00 = 4h (7h), 14:00 + 1h.
		{"christmas", office, m("2026-12-24 15:00"), 8 * time.Hour, m("2026-12-28 15:00")},
		// 80h = ten 8h days from Mon 1 June: ends at closing on Fri 12th.
		{"two weeks", office, m("2026-06-01 09:00"), 80 * time.Hour, m("2026-06-12 18:00")},
		// Sat 16:00-17:00 = 1h, Sun night span 2h real (01:00 CET to
		// 04:00 CEST) = 3h, then 09:00 CEST + 2h.
		{"across spring-forward", every, m("2026-03-28 16:00"), 5 * time.Hour, m("2026-03-29 11:00")},
		{"zero", office, m("2026-04-15 20:00"), 0, m("2026-04-15 20:00")},
		{"negative", office, m("2026-04-15 20:00"), -time.Hour, m("2026-04-15 20:00")},
		{"nil is wall clock", nil, m("2026-04-15 20:00"), 3 * time.Hour, m("2026-04-15 23:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Add(tt.from, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%v, %v) = %v, want %v", tt.from, tt.d, got, tt.want)
			}
			// Add and Between agree: the business time up to the due
			// time is what was asked for.
			if tt.d > 0 {
				if back := tt.b.Between(tt.from, got); back != tt.d {
					t.Errorf("Between(from, Add(from, %v)) = %v", tt.d, back)
				}
			}
		})
	}
}

func TestBusinessHoursClosed(t *testing.T) {
	mad := mustLoc(t, "Europe/Madrid")
	m := func(s string) time.Time { return wall(t, mad, s) }
	office := mustBusinessHours(t, officeConfig)
	lateShift := mustBusinessHours(t, BusinessHoursConfig{
		Timezone: "Europe/Madrid",
		Days:     map[string]string{"fri": "20:00-24:00", "sat": "00:00-02:00"},
	})

	tests := []struct {
		name     string
		b        *BusinessHours
		from, to time.Time
		want     []Gap
	}{
		{"lunch and night", office, m("2026-04-15 10:00"), m("2026-04-16 10:00"), []Gap{
			{m("2026-04-15 13:00"), m("2026-04-15 14:00")},
			{m("2026-04-15 18:00"), m("2026-04-16 09:00")},
		}},
		// Thu night, the 1 May holiday and the weekend are one gap.
		{"holiday and weekend merged", office, m("2026-04-30 17:00"), m("2026-05-04 10:00"), []Gap{
			{m("2026-04-30 18:00"), m("2026-05-04 09:00")},
		}},
		{"starts closed", office, m("2026-04-15 07:00"), m("2026-04-15 10:00"), []Gap{
			{m("2026-04-15 07:00"), m("2026-04-15 09:00")},
		}},
		{"all closed", office, m("2026-06-13 10:00"), m("2026-06-14 10:00"), []Gap{
			{m("2026-06-13 10:00"), m("2026-06-14 10:00")},
		}},
		{"all open", office, m("2026-04-15 10:00"), m("2026-04-15 12:00"), nil},
		// Fri 20:00-24:00 and Sat 00:00-02:00 touch at midnight: no gap there.
		{"open across midnight", lateShift, m("2026-06-12 19:00"), m("2026-06-13 03:00"), []Gap{
			{m("2026-06-12 19:00"), m("2026-06-12 20:00")},
			{m("2026-06-13 02:00"), m("2026-06-13 03:00")},
		}},
		{"empty interval", office, m("2026-04-15 10:00"), m("2026-04-15 10:00"), nil},
		{"nil receiver", nil, m("2026-04-15 10:00"), m("2026-04-16 10:00"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.b.Closed(tt.from, tt.to)
			if !slices.EqualFunc(got, tt.want, func(a, b Gap) bool { return a.From.Equal(b.From) && a.To.Equal(b.To) }) {
				t.Fatalf("Closed = %v, want %v", got, tt.want)
			}
			// Open time plus closed time is the whole interval.
			if tt.b != nil {
				var closed time.Duration
				for _, g := range got {
					closed += g.To.Sub(g.From)
				}
				if whole := max(tt.to.Sub(tt.from), 0); closed+tt.b.Between(tt.from, tt.to) != whole {
					t.Errorf("closed %v + open %v != %v", closed, tt.b.Between(tt.from, tt.to), whole)
				}
			}
		})
	}
}

func TestBusinessHoursNil(t *testing.T) {
	b, err := NewBusinessHours(BusinessHoursConfig{Timezone: "Europe/Madrid"})
	if err != nil || b != nil {
		t.Fatalf("no days: got %v, %v; want nil, nil", b, err)
	}
	from := utc(t, "2026-06-13 10:00") // a Saturday: wall clock counts anyway
	if got := b.Between(from, from.Add(90*time.Minute)); got != 90*time.Minute {
		t.Errorf("nil Between = %v, want 1h30m", got)
	}
	if got := b.Between(from, from.Add(-time.Hour)); got != 0 {
		t.Errorf("nil Between backwards = %v, want 0", got)
	}
}

func TestBusinessHoursConfig(t *testing.T) {
	mon := func(v string) BusinessHoursConfig {
		return BusinessHoursConfig{Days: map[string]string{"mon": v}}
	}
	bad := []struct {
		name string
		c    BusinessHoursConfig
		want string
	}{
		{"no minutes", mon("9-17"), `business_hours.days.mon: "9-17": want HH:MM-HH:MM`},
		{"no dash", mon("09:00"), `business_hours.days.mon: "09:00": want HH:MM-HH:MM`},
		{"minute 60", mon("09:60-17:00"), `business_hours.days.mon: "09:60-17:00": want HH:MM-HH:MM`},
		{"hour 25", mon("09:00-25:00"), `business_hours.days.mon: "09:00-25:00": want HH:MM-HH:MM`},
		{"starts at 24:00", mon("24:00-24:00"), `business_hours.days.mon: "24:00-24:00": want HH:MM-HH:MM`},
		{"empty span in list", mon("09:00-12:00,"), `business_hours.days.mon: "09:00-12:00,": want HH:MM-HH:MM`},
		{"end before start", mon("17:00-09:00"), `business_hours.days.mon: "17:00-09:00": 17:00-09:00: end must be after start`},
		{"end equals start", mon("09:00-09:00"), `business_hours.days.mon: "09:00-09:00": 09:00-09:00: end must be after start`},
		{"overlap", mon("09:00-13:00,12:00-18:00"), `business_hours.days.mon: "09:00-13:00,12:00-18:00": 12:00-18:00 overlaps 09:00-13:00`},
		{"overlap unsorted", mon("12:00-18:00, 09:00-13:00"), `business_hours.days.mon: "12:00-18:00, 09:00-13:00": 12:00-18:00 overlaps 09:00-13:00`},
		{"unknown day", BusinessHoursConfig{Days: map[string]string{"mon": "09:00-17:00", "monday": "09:00-17:00"}},
			`business_hours.days.monday: unknown day (want mon, tue, wed, thu, fri, sat, sun)`},
		{"all closed", BusinessHoursConfig{Days: map[string]string{"sat": ""}},
			`business_hours.days: every day is closed (give at least one day hours, or remove [business_hours.days])`},
		{"unknown zone", BusinessHoursConfig{Timezone: "Mars/Olympus", Days: map[string]string{"mon": "09:00-17:00"}},
			`business_hours.timezone: "Mars/Olympus": unknown time zone`},
		{"bad month", BusinessHoursConfig{Days: map[string]string{"mon": "09:00-17:00"}, Holidays: []string{"2026-13-01"}},
			`business_hours.holidays: "2026-13-01": want YYYY-MM-DD`},
		{"day-first date", BusinessHoursConfig{Days: map[string]string{"mon": "09:00-17:00"}, Holidays: []string{"25/12/2026"}},
			`business_hours.holidays: "25/12/2026": want YYYY-MM-DD`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBusinessHours(tt.c)
			if err == nil {
				t.Fatalf("got %v, want error %s", b, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}

	good := []struct {
		name string
		c    BusinessHoursConfig
		day  string // a Monday
		want time.Duration
	}{
		{"one-digit hour", mon("9:00-17:00"), "2026-06-15", 8 * time.Hour},
		{"touching spans", mon("09:00-12:00,12:00-13:00"), "2026-06-15", 4 * time.Hour},
		{"spaces", mon(" 09:00 - 12:00 , 13:00-14:00 "), "2026-06-15", 4 * time.Hour},
		{"whole day", mon("00:00-24:00"), "2026-06-15", 24 * time.Hour},
		{"explicitly closed day", BusinessHoursConfig{Days: map[string]string{"mon": "09:00-10:00", "sun": ""}}, "2026-06-15", time.Hour},
	}
	for _, tt := range good {
		t.Run(tt.name, func(t *testing.T) {
			b := mustBusinessHours(t, tt.c)
			from := utc(t, tt.day+" 00:00")
			if got := b.Between(from, from.Add(24*time.Hour)); got != tt.want {
				t.Errorf("Between over %s = %v, want %v", tt.day, got, tt.want)
			}
		})
	}
}

func BenchmarkBusinessHoursBetween(b *testing.B) {
	bh := mustBusinessHours(b, officeConfig)
	from := wall(b, mustLoc(b, "Europe/Madrid"), "2026-03-20 10:17") // spans the March clock change
	to := from.Add(14 * 24 * time.Hour)
	for b.Loop() {
		bh.Between(from, to)
	}
}

func BenchmarkBusinessHoursAdd(b *testing.B) {
	bh := mustBusinessHours(b, officeConfig)
	from := wall(b, mustLoc(b, "Europe/Madrid"), "2026-03-20 10:17")
	for b.Loop() {
		bh.Add(from, 40*time.Hour)
	}
}
