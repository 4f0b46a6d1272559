package inbox

import (
	"context"
	"io"
)

// PreparedLine is one line of a JSON Lines file, decoded and prepared, or its error.
type PreparedLine struct {
	Line int
	Msg  Prepared
	Err  *LineError // the line is not a valid message
}

// preparedChunk groups lines so the hand-over between goroutines costs little per line.
const preparedChunk = 256

// PrepareJSONL reads r like ReadJSONL, but decodes and prepares the lines (JSON, checks,
// sentiment, rules, SLA) on a goroutine of its own, a few thousand lines ahead, and calls
// fn with them in file order on the caller's goroutine. On two cores an import stores one
// message while the next are being read: preparing is a third of the work. It stops when
// fn returns an error, r fails or ctx ends, and returns that error.
func (s *Service) PrepareJSONL(ctx context.Context, r io.Reader, file string, fn func(PreparedLine) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []PreparedLine, 16)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		buf := make([]PreparedLine, 0, preparedChunk)
		send := func() error {
			select {
			case chunks <- buf:
				buf = make([]PreparedLine, 0, preparedChunk)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		err := ReadJSONL(r, file, func(line int, m Message, lerr *LineError) error {
			pl := PreparedLine{Line: line, Err: lerr}
			if lerr == nil {
				pl.Msg = s.Prepare(m)
			}
			if buf = append(buf, pl); len(buf) == preparedChunk {
				return send()
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			err = send()
		}
		readErr <- err
	}()
	for chunk := range chunks {
		for _, pl := range chunk {
			if err := fn(pl); err != nil {
				cancel()
				for range chunks { // let the reader see the cancel and finish
				}
				<-readErr
				return err
			}
		}
	}
	return <-readErr
}
