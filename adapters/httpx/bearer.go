package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/triage-inbox/triage/adapters"
)

// BearerJSON sends in (nil: no body) as JSON to u with an OAuth access token, and
// decodes a 2xx answer into out (nil, or a 204, decodes nothing). Any other answer goes
// to refused with the first 64 KiB of its body (also left readable in resp.Body), which
// makes it the channel's own error: each API words its refusals its own way. The token
// is the caller's to keep out of errors (WithSecrets on ctx).
func (c *Client) BearerJSON(ctx context.Context, method, u, token string, in, out any, refused func(resp *http.Response, body []byte) error) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return adapters.Permanent(fmt.Errorf("encode request: %w", err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // not the URL itself: its query may hold something private
		}
		return adapters.Permanent(fmt.Errorf("%s: bad request: %w", method, err))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return NetworkError(req, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		return refused(resp, raw)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		return nil
	}
	return DecodeJSON(resp, out)
}
