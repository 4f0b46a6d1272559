package inbox

import (
	"math"
	"slices"
	"testing"
)

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		{"empty", nil, 50, 0},
		{"one value p0", []float64{7}, 0, 7},
		{"one value p50", []float64{7}, 50, 7},
		{"one value p100", []float64{7}, 100, 7},
		// n=2: rank = 0.5*1 = 0.5 -> 10 + (20-10)*0.5 = 15.
		{"two values p50", []float64{10, 20}, 50, 15},
		// rank = 0.9*1 = 0.9 -> 10 + 10*0.9 = 19.
		{"two values p90", []float64{10, 20}, 90, 19},
		// rank = 0.9*3 = 2.7 -> 3 + (4-3)*0.7 = 3.7.
		{"p90 of 1..4", []float64{1, 2, 3, 4}, 90, 3.7},
		// rank = 0.5*3 = 1.5 -> 2 + (3-2)*0.5 = 2.5.
		{"p50 of 1..4", []float64{1, 2, 3, 4}, 50, 2.5},
		// rank = 0.25*3 = 0.75 -> 1 + 1*0.75 = 1.75.
		{"p25 of 1..4", []float64{1, 2, 3, 4}, 25, 1.75},
		{"p0 is the minimum", []float64{1, 2, 3, 4}, 0, 1},
		{"p100 is the maximum", []float64{1, 2, 3, 4}, 100, 4},
		// Odd count: rank = 0.5*4 = 2, exactly the middle value.
		{"p50 of five", []float64{1, 3, 5, 60, 600}, 50, 5},
		// rank = 0.95*4 = 3.8 -> 60 + (600-60)*0.8 = 492.
		{"p95 of five", []float64{1, 3, 5, 60, 600}, 95, 492},
		// rank = 0.5*2 = 1: ties stay ties.
		{"repeated values", []float64{5, 5, 5}, 50, 5},
		{"below 0 clamps", []float64{1, 2}, -10, 1},
		{"above 100 clamps", []float64{1, 2}, 150, 2},
		{"NaN p is p0", []float64{1, 2}, math.NaN(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   Summary
	}{
		{"empty", nil, Summary{}},
		{"one", []float64{42}, Summary{Mean: 42, Median: 42, P90: 42, P95: 42, Max: 42}},
		// Sorted: 1 2 3 4. Mean 10/4 = 2.5; median rank 1.5 -> 2.5;
		// p90 rank 2.7 -> 3.7; p95 rank 2.85 -> 3.85; max 4.
		{"unsorted 1..4", []float64{4, 1, 3, 2}, Summary{Mean: 2.5, Median: 2.5, P90: 3.7, P95: 3.85, Max: 4}},
		// Sorted: 30 60 90 120 3600 (a slow outlier). Mean 3900/5 = 780;
		// median rank 2 -> 90; p90 rank 3.6 -> 120 + 3480*0.6 = 2208;
		// p95 rank 3.8 -> 120 + 3480*0.8 = 2904; max 3600.
		{"outlier", []float64{3600, 30, 120, 60, 90}, Summary{Mean: 780, Median: 90, P90: 2208, P95: 2904, Max: 3600}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := slices.Clone(tt.values)
			got := Summarize(values)
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if !near(got.Mean, tt.want.Mean) || !near(got.Median, tt.want.Median) || !near(got.P90, tt.want.P90) ||
				!near(got.P95, tt.want.P95) || !near(got.Max, tt.want.Max) {
				t.Errorf("Summarize(%v) = %+v, want %+v", tt.values, got, tt.want)
			}
			// Documented: the input is sorted in place.
			if !slices.IsSorted(values) {
				t.Errorf("Summarize left values unsorted: %v", values)
			}
		})
	}
}
