//go:build !linux

package pgtest

import (
	"database/sql"
	"errors"
	"fmt"
)

// server stands for the cluster where none can be started: see startServer.
type server struct {
	port  int
	admin *sql.DB
}

func (s *server) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// startServer starts nothing here: the throwaway cluster dies with its test process by
// Linux's parent-death signal, which other systems lack. The PostgreSQL tests then skip
// saying so (or fail when CI is set).
func startServer() (*server, error) {
	return nil, errors.New("the throwaway PostgreSQL cluster of the tests runs on Linux only (it dies with the test process by Linux's parent-death signal)")
}

func (s *server) stop() {}
