package inbox

import (
	"strings"
	"testing"
)

// The stores' own limits on a reply to a review are the defaults: Google Play refuses a
// reply over 350 characters, Apple a response over 5,970.
func TestVoiceStoreReviewLimits(t *testing.T) {
	var v *Voice
	if v.Limit("googleplay") != 350 || v.Limit("appstore") != 5970 {
		t.Errorf("limits %d, %d", v.Limit("googleplay"), v.Limit("appstore"))
	}
	if got := v.Check("googleplay", strings.Repeat("a", 350)); got != nil {
		t.Errorf("350 on googleplay: %+v", got)
	}
	if got := v.Check("googleplay", strings.Repeat("a", 351)); len(got) != 1 || got[0].Kind != WarnLength {
		t.Errorf("351 on googleplay: %+v", got)
	}
	if got := v.Check("appstore", strings.Repeat("a", 5971)); len(got) != 1 || got[0].Kind != WarnLength {
		t.Errorf("5971 on appstore: %+v", got)
	}
	if ChannelLabel("googleplay") != "Google Play" || ChannelLabel("appstore") != "App Store" {
		t.Errorf("labels %q, %q", ChannelLabel("googleplay"), ChannelLabel("appstore"))
	}
}
