package webhook

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"time"
)

// signedSum is what a body must hash to: the claimed signature and the MAC it streams into.
type signedSum struct {
	want []byte
	mac  hash.Hash
}

// check reads the signature headers, before any of the body is read.
func (h *handler) check(sigHeader, tsHeader string) (signedSum, error) {
	want, mac, err := checkHeaders(h.secret, sigHeader, tsHeader, h.opts.RequireTimestamp, h.opts.Now())
	return signedSum{want, mac}, err
}

// read reads the body, feeding the MAC as it comes, and checks the signature at its end.
// The first SmallBody bytes need nothing; a larger body takes one of the MaxInflight
// slots for the rest of its reading, waiting at most SlotWait for one, so memory for
// bodies stays near MaxInflight×MaxBody however many uploads are in flight. A status
// other than 0 is the answer: 401 for a signature that does not match, 413 for a body
// over MaxBody, 503 when no slot came free, 400 when the body could not be read.
func (h *handler) read(w http.ResponseWriter, r *http.Request, sum signedSum) (body []byte, status int, msg string) {
	src := io.TeeReader(http.MaxBytesReader(underlying(w), r.Body, h.opts.MaxBody), sum.mac)
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= SmallBody {
		buf.Grow(int(r.ContentLength) + 1)
	}
	n, err := buf.ReadFrom(io.LimitReader(src, SmallBody+1))
	if err == nil && n > SmallBody {
		timer := time.NewTimer(h.opts.SlotWait)
		select {
		case h.slots <- struct{}{}:
			timer.Stop()
			defer func() { <-h.slots }()
		case <-timer.C:
			return nil, http.StatusServiceUnavailable, "too many large bodies in flight; retry later"
		case <-r.Context().Done():
			timer.Stop()
			return nil, http.StatusServiceUnavailable, "gave up waiting"
		}
		_, err = buf.ReadFrom(src)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", h.opts.MaxBody)
		}
		return nil, http.StatusBadRequest, "could not read the body"
	}
	if !hmac.Equal(sum.mac.Sum(nil), sum.want) {
		return nil, http.StatusUnauthorized, ErrBadSignature.Error()
	}
	return buf.Bytes(), 0, ""
}
