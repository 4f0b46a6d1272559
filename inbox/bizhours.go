package inbox

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BusinessHoursConfig is the [business_hours] table of config.toml.
type BusinessHoursConfig struct {
	Timezone string            `toml:"timezone"` // IANA name, e.g. "Europe/Madrid"; empty = UTC
	Days     map[string]string `toml:"days"`     // "mon" = "09:00-17:00" or "09:00-12:30,13:30-18:00"; a missing day is closed
	Holidays []string          `toml:"holidays"` // "2026-12-25": closed all day (local date)
}

// BusinessHours answers how much working time lies between two instants.
// Opening hours are local wall-clock times in one time zone, so a 09:00-17:00
// day stays 09:00 to 17:00 on the clock when daylight saving time changes.
//
// A nil *BusinessHours means "no business hours configured": every method then
// falls back to plain wall-clock time, so callers never need to branch.
type BusinessHours struct {
	loc      *time.Location
	week     [7][]span        // indexed by time.Weekday; sorted, non-overlapping
	total    [7]time.Duration // sum of week[d] on a day without a clock change
	holidays map[int64]bool   // keyed by civil day number (days since 1970-01-01)
}

// Gap is a stretch of time outside business hours, [From, To).
type Gap struct{ From, To time.Time }

// span is an open stretch of one day, in minutes after local midnight.
// end may be 24*60: open until the next midnight.
type span struct{ start, end int }

// dayKeys maps config keys to weekdays, in the order they are listed in errors.
var dayKeys = []struct {
	key string
	day time.Weekday
}{
	{"mon", time.Monday}, {"tue", time.Tuesday}, {"wed", time.Wednesday},
	{"thu", time.Thursday}, {"fri", time.Friday}, {"sat", time.Saturday}, {"sun", time.Sunday},
}

// NewBusinessHours checks c and builds its calendar. It returns (nil, nil)
// when c.Days is empty: no business hours are configured, and the nil value
// measures wall-clock time.
func NewBusinessHours(c BusinessHoursConfig) (*BusinessHours, error) {
	if len(c.Days) == 0 {
		return nil, nil
	}
	b := &BusinessHours{loc: time.UTC}
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return nil, fmt.Errorf("business_hours.timezone: %q: unknown time zone", c.Timezone)
		}
		b.loc = loc
	}

	// Walk keys in sorted order so that, of several mistakes, the same one is
	// always reported first.
	open := false
	for _, key := range slices.Sorted(maps.Keys(c.Days)) {
		value := c.Days[key]
		day, ok := weekdayOf(key)
		if !ok {
			return nil, fmt.Errorf("business_hours.days.%s: unknown day (want mon, tue, wed, thu, fri, sat, sun)", key)
		}
		spans, err := parseSpans(value)
		if err != nil {
			return nil, fmt.Errorf("business_hours.days.%s: %q: %w", key, value, err)
		}
		b.week[day] = spans
		for _, s := range spans {
			b.total[day] += time.Duration(s.end-s.start) * time.Minute
		}
		open = open || len(spans) > 0
	}
	if !open {
		// Add would search forever for an opening; say so now instead.
		return nil, fmt.Errorf("business_hours.days: every day is closed (give at least one day hours, or remove [business_hours.days])")
	}

	for _, h := range c.Holidays {
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(h))
		if err != nil {
			return nil, fmt.Errorf("business_hours.holidays: %q: want YYYY-MM-DD", h)
		}
		if b.holidays == nil {
			b.holidays = make(map[int64]bool, len(c.Holidays))
		}
		b.holidays[dayNumber(d)] = true
	}
	return b, nil
}

func weekdayOf(key string) (time.Weekday, bool) {
	for _, dk := range dayKeys {
		if dk.key == key {
			return dk.day, true
		}
	}
	return 0, false
}

// parseSpans reads "09:00-12:30,13:30-18:00". An empty value is a closed day,
// so a config can say sat = "" to be explicit.
func parseSpans(value string) ([]span, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	var spans []span
	for part := range strings.SplitSeq(value, ",") {
		part = strings.TrimSpace(part)
		a, z, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("want HH:MM-HH:MM")
		}
		start, ok1 := parseClock(strings.TrimSpace(a))
		end, ok2 := parseClock(strings.TrimSpace(z))
		if !ok1 || !ok2 || start == 24*60 {
			return nil, fmt.Errorf("want HH:MM-HH:MM")
		}
		if end <= start {
			return nil, fmt.Errorf("%s: end must be after start", part)
		}
		spans = append(spans, span{start, end})
	}
	slices.SortFunc(spans, func(x, y span) int { return x.start - y.start })
	for i := 1; i < len(spans); i++ {
		// Touching spans (12:00-13:00,13:00-14:00) are fine; overlapping ones
		// would count the same minutes twice.
		if spans[i].start < spans[i-1].end {
			return nil, fmt.Errorf("%s overlaps %s", spans[i], spans[i-1])
		}
	}
	return spans, nil
}

// parseClock reads "HH:MM" (or "H:MM") as minutes after midnight; "24:00" is
// allowed so that a day can be open until midnight.
func parseClock(s string) (int, bool) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func (s span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.start/60, s.start%60, s.end/60, s.end%60)
}

// Between returns the business time in [from, to): how long the team was open
// while a message waited. It returns 0 if to is not after from. A nil receiver
// returns the wall-clock time to-from.
func (b *BusinessHours) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if b == nil {
		return to.Sub(from)
	}
	var total time.Duration
	for d := range b.openDays(from) {
		if !d.start.Before(to) {
			break
		}
		if d.uniform && !d.start.Before(from) && !d.end.After(to) {
			// A whole ordinary day inside the interval: no need to look at
			// its spans. This keeps long intervals at one lookup per day.
			total += b.total[d.weekday]
			continue
		}
		for _, sp := range d.spans {
			s, e := b.instant(d, sp.start), b.instant(d, sp.end)
			s, e = later(s, from), earlier(e, to)
			if e.After(s) {
				total += e.Sub(s)
			}
		}
	}
	return total
}

// Add returns the instant at which d of business time has passed after from:
// the due time of an SLA of d. If from is outside business hours the clock
// starts at the next opening. A due time that falls exactly at closing is
// that closing time, not the next opening. The result is in from's location.
// A nil receiver returns from.Add(d); d <= 0 returns from.
func (b *BusinessHours) Add(from time.Time, d time.Duration) time.Time {
	if b == nil {
		return from.Add(d)
	}
	if d <= 0 {
		return from
	}
	left := d
	// openDays never ends (NewBusinessHours refuses a week with no hours), so
	// this loop always reaches its return.
	for day := range b.openDays(from) {
		if day.uniform && !day.start.Before(from) && left > b.total[day.weekday] {
			left -= b.total[day.weekday]
			continue
		}
		for _, sp := range day.spans {
			s, e := b.instant(day, sp.start), b.instant(day, sp.end)
			if !e.After(from) {
				continue
			}
			s = later(s, from)
			if n := e.Sub(s); left > n {
				left -= n
				continue
			}
			return s.Add(left).In(from.Location())
		}
	}
	panic("unreachable: business hours with no open day")
}

// Closed returns the stretches of [from, to) outside business hours, in order
// and merged (a night, a weekend and a holiday in a row are one gap), in the
// business hours' time zone. A nil receiver, or to not after from, returns nil.
func (b *BusinessHours) Closed(from, to time.Time) []Gap {
	if b == nil || !to.After(from) {
		return nil
	}
	var gaps []Gap
	cursor := from // end of the last open stretch seen
	for d := range b.openDays(from) {
		if !d.start.Before(to) {
			break
		}
		for _, sp := range d.spans {
			s, e := b.instant(d, sp.start), b.instant(d, sp.end)
			s, e = later(s, from), earlier(e, to)
			if !e.After(s) {
				continue
			}
			if s.After(cursor) {
				gaps = append(gaps, Gap{cursor.In(b.loc), s.In(b.loc)})
			}
			cursor = e
		}
	}
	if to.After(cursor) {
		gaps = append(gaps, Gap{cursor.In(b.loc), to.In(b.loc)})
	}
	return gaps
}

// openDay is one local calendar day that has opening hours.
type openDay struct {
	civil      time.Time // the date, as midnight UTC
	weekday    time.Weekday
	start, end time.Time // local midnight to the next local midnight
	uniform    bool      // no clock change in [start, end)
	spans      []span
}

// openDays yields, from the local day containing from onwards, every day that
// is not a holiday and has opening hours. It never ends by itself; callers
// break. Each day costs one zone lookup; only days with a clock change pay
// for more.
func (b *BusinessHours) openDays(from time.Time) iter.Seq[openDay] {
	return func(yield func(openDay) bool) {
		y, m, dd := from.In(b.loc).Date()
		civil := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
		start := b.at(civil, 0)
		for {
			// UTC has no clock changes, so adding 24h always steps one date.
			next := civil.Add(24 * time.Hour)
			end := start.Add(24 * time.Hour)
			_, change := start.ZoneBounds()
			uniform := change.IsZero() || !change.Before(end)
			if !uniform {
				end = b.at(next, 0)
			}
			wd := civil.Weekday()
			if len(b.week[wd]) > 0 && !b.holidays[dayNumber(civil)] {
				d := openDay{civil: civil, weekday: wd, start: start, end: end, uniform: uniform, spans: b.week[wd]}
				if !yield(d) {
					return
				}
			}
			civil, start = next, end
		}
	}
}

// instant is the moment the local clock reads mins minutes after midnight on d.
func (b *BusinessHours) instant(d openDay, mins int) time.Time {
	if d.uniform {
		return d.start.Add(time.Duration(mins) * time.Minute)
	}
	return b.at(d.civil, mins)
}

// at returns the first instant at which the local clock reads mins minutes
// after midnight on the date civil. time.Date leaves two cases open (its doc
// says the choice "is not guaranteed"), and we pin both down:
//   - in a spring-forward gap the wall time never shows, so we take the jump
//     itself, the first instant the clock reads later than mins;
//   - in a fall-back overlap the wall time shows twice, and we take the first.
func (b *BusinessHours) at(civil time.Time, mins int) time.Time {
	y, m, d := civil.Date()
	t := time.Date(y, m, d, 0, mins, 0, 0, b.loc)
	_, off := t.Zone()
	got := t.Unix() + int64(off)          // the wall clock t shows, as seconds
	want := civil.Unix() + int64(mins)*60 // the wall clock we asked for
	zoneStart, zoneEnd := t.ZoneBounds()
	switch {
	case got > want: // moved forward past a gap
		return zoneStart
	case got < want: // moved back before a gap
		return zoneEnd
	}
	if !zoneStart.IsZero() {
		if _, prev := zoneStart.Add(-time.Nanosecond).Zone(); prev > off {
			// Clocks went back at zoneStart; the same wall time also
			// happened under the earlier, larger offset.
			if e := t.Add(-time.Duration(prev-off) * time.Second); e.Before(zoneStart) {
				return e
			}
		}
	}
	return t
}

// dayNumber counts days since 1970-01-01 for a date given as midnight UTC.
func dayNumber(civil time.Time) int64 {
	return civil.Unix() / 86400
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Location is the time zone the hours are kept in (UTC for a nil receiver).
func (b *BusinessHours) Location() *time.Location {
	if b == nil {
		return time.UTC
	}
	return b.loc
}
