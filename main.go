// Command triage is a keyboard-driven terminal unified inbox for the people who answer a
// brand's customers on social media and email. The commands are package cli; `triage
// help` lists them.
package main

import (
	"os"

	"github.com/triage-inbox/triage/cli"
)

// version is set by a release build: go build -ldflags "-X main.version=v1.2.0". Without
// it, the version comes from what the Go toolchain recorded in the binary.
var version = ""

func main() {
	os.Exit(cli.Main(version, os.Args[1:]))
}
