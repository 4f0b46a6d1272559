package inbox

import (
	"os"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// Tests that use PostgreSQL (pgtest.URL) share one throwaway cluster per test process,
// stopped and removed after the last test.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
