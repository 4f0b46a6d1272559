package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// versionText is what `triage --version` prints: the version, then how it was built.
//
// The version is, in order: the one a release build was given; the module's version when
// triage was installed with `go install …@v1.2.0` (or a pseudo-version for a commit);
// the commit a build from a git checkout was made at (its first 12 hex digits, "+dirty"
// with changes not committed, and the commit's date); "devel" when none of these is known
// (go run, a build outside git).
func versionText(set string, info *debug.BuildInfo, ok bool) string {
	v, goVersion := set, ""
	if ok {
		goVersion = info.GoVersion
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		if v == "" {
			var rev, at string
			var dirty bool
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.time":
					at = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if rev != "" {
				v = rev[:min(12, len(rev))]
				if dirty {
					v += "+dirty"
				}
				if at != "" {
					v += " (" + at + ")"
				}
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	out := "triage " + v
	if goVersion != "" {
		out += ", built with " + strings.TrimSpace(goVersion)
	}
	return out
}

// printVersion is `triage --version` (and `triage version`).
func (e *cliEnv) printVersion() error {
	info, ok := debug.ReadBuildInfo()
	_, err := fmt.Fprintln(e.stdout, versionText(e.version, info, ok))
	return err
}
