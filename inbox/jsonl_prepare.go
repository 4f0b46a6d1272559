package inbox

import (
	"context"
	"io"
)

// PreparedLine is one message of an import source (a line of a JSON Lines file, or a mail
// file), decoded and prepared, or its error.
type PreparedLine struct {
	Line int // the line in its file; 0 for a source whose files are one message each
	Msg  Prepared
	Err  *LineError // the line is not a valid message
}

// preparedChunk groups lines so the hand-over between goroutines costs little per line.
const preparedChunk = 256

// Producer reads an import source in order and calls yield with every message, or with the
// *LineError that makes one unusable. It stops and returns yield's error when yield fails.
type Producer func(yield func(line int, m Message, lerr *LineError) error) error

// PrepareJSONL reads r like ReadJSONL, but decodes and prepares the lines (JSON, checks,
// sentiment, rules, SLA) on a goroutine of its own, a few thousand lines ahead, and calls
// fn with them in file order on the caller's goroutine. On two cores an import stores one
// message while the next are being read: preparing is a third of the work. It stops when
// fn returns an error, r fails or ctx ends, and returns that error.
func (s *Service) PrepareJSONL(ctx context.Context, r io.Reader, file string, fn func(PreparedLine) error) error {
	return s.PrepareMessages(ctx, func(yield func(int, Message, *LineError) error) error {
		return ReadJSONL(r, file, yield)
	}, fn)
}

// PrepareMessages runs produce on a goroutine of its own and prepares what it yields
// there, a few thousand messages ahead, then calls fn with them in order on the caller's
// goroutine: reading and preparing one message overlaps storing the one before. It stops
// when fn or produce returns an error or ctx ends, and returns that error. Once fn has
// failed or ctx has ended, yield fails within a few hundred messages, and produce should
// then return.
func (s *Service) PrepareMessages(ctx context.Context, produce Producer, fn func(PreparedLine) error) error {
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
		err := produce(func(line int, m Message, lerr *LineError) error {
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
