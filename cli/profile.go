package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole run to $TRIAGE_CPUPROFILE when it is set,
// so whole-process figures (bench/run.sh) can be explained with `go tool pprof`. It
// returns the function that finishes the profile.
func startProfile() func() {
	path := os.Getenv("TRIAGE_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "triage: TRIAGE_CPUPROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
