package inbox

import (
	"math"
	"slices"
)

// Percentile returns the p-th percentile (0..100) of values sorted ascending,
// interpolating linearly between the closest ranks. This is numpy's default
// "linear" method: rank = p/100*(n-1), and the result lies between
// sorted[floor(rank)] and sorted[ceil(rank)]. p outside 0..100 is clamped.
// Empty input returns 0, so an empty report shows zeros rather than failing.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// !(p > 0) also catches NaN, which would otherwise index out of range.
	if !(p > 0) {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[n-1]
	}
	rank := p / 100 * float64(n-1)
	lo := int(math.Floor(rank))
	hi := min(lo+1, n-1)
	frac := rank - float64(lo)
	return sorted[lo] + (sorted[hi]-sorted[lo])*frac
}

// Summary holds the mean, median (p50), p90, p95 and maximum of a set of
// durations in seconds.
type Summary struct {
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	Max    float64 `json:"max"`
}

// Summarize computes the Summary of values. It sorts values in place: the
// stats code builds these slices for one report, and copying a million
// response times only to throw the copy away would be waste. Callers that
// need the original order must pass a copy. Empty input returns a zero Summary.
func Summarize(values []float64) Summary {
	if len(values) == 0 {
		return Summary{}
	}
	slices.Sort(values)
	var sum float64
	for _, v := range values {
		sum += v
	}
	return Summary{
		Mean:   sum / float64(len(values)),
		Median: Percentile(values, 50),
		P90:    Percentile(values, 90),
		P95:    Percentile(values, 95),
		Max:    values[len(values)-1],
	}
}
