package webhook_test

import (
	"os"
	"testing"

	"github.com/triage-inbox/triage/internal/pgtest"
)

// TestMain stops the throwaway PostgreSQL cluster (if a test started one) when the tests end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
