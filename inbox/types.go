package inbox

import (
	"fmt"
	"strings"
	"time"
)

// State is where a conversation stands in the triage flow.
type State string

// The states of a conversation.
const (
	StateNew       State = "new"       // arrived, nobody has touched it
	StateOpen      State = "open"      // needs action
	StateWaiting   State = "waiting"   // replied, awaiting the customer
	StateSnoozed   State = "snoozed"   // hidden until a time
	StateDone      State = "done"      // closed
	StateEscalated State = "escalated" // handed to customer service
	StateSpam      State = "spam"      // junk
)

// States lists every state in display order.
var States = []State{StateNew, StateOpen, StateWaiting, StateSnoozed, StateDone, StateEscalated, StateSpam}

// ParseState reads a state name.
func ParseState(s string) (State, error) {
	for _, st := range States {
		if string(st) == strings.ToLower(s) {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown state %q (want one of new, open, waiting, snoozed, done, escalated, spam)", s)
}

// Kind is what sort of message it is on its channel.
type Kind string

// The kinds of message.
const (
	KindComment Kind = "comment"
	KindMention Kind = "mention"
	KindDM      Kind = "dm"
	KindReview  Kind = "review"
	KindEmail   Kind = "email"
)

// Kinds lists every kind.
var Kinds = []Kind{KindComment, KindMention, KindDM, KindReview, KindEmail}

// ParseKind reads a kind name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == strings.ToLower(s) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q (want one of comment, mention, dm, review, email)", s)
}

// Direction says whether a message came from a customer (in) or from the brand (out).
type Direction string

// The two directions.
const (
	In  Direction = "in"
	Out Direction = "out"
)

// Priority orders the queue: higher first.
type Priority int

// The priorities, lowest to highest.
const (
	PriorityLow Priority = iota
	PriorityNormal
	PriorityHigh
	PriorityUrgent
)

var priorityNames = []string{"low", "normal", "high", "urgent"}

// To is a priority to set, for requests where nil means "leave it as it is".
func (p Priority) To() *Priority { return &p }

func (p Priority) String() string {
	if p < PriorityLow || p > PriorityUrgent {
		return fmt.Sprintf("priority(%d)", int(p))
	}
	return priorityNames[p]
}

// ParsePriority reads a priority name (low, normal, high, urgent).
func ParsePriority(s string) (Priority, error) {
	for i, n := range priorityNames {
		if n == strings.ToLower(s) {
			return Priority(i), nil
		}
	}
	return 0, fmt.Errorf("unknown priority %q (want one of low, normal, high, urgent)", s)
}

// Author is who wrote an inbound message, as the channel names them.
type Author struct {
	ID     string `json:"id,omitempty"`
	Handle string `json:"handle,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Message is one message as channels deliver it and as `triage import` reads it:
// the shape adapters translate their wire formats into.
type Message struct {
	Channel      string    `json:"channel"`
	Account      string    `json:"account,omitempty"`
	ID           string    `json:"id"`
	Conversation string    `json:"conversation,omitempty"`
	Kind         Kind      `json:"kind"`
	Direction    Direction `json:"direction,omitempty"`
	Author       *Author   `json:"author,omitempty"`
	Text         string    `json:"text"`
	Subject      string    `json:"subject,omitempty"` // email subject; empty elsewhere
	CreatedAt    time.Time `json:"created_at"`
	InReplyTo    string    `json:"in_reply_to,omitempty"`
	URL          string    `json:"url,omitempty"`
	Agent        string    `json:"agent,omitempty"`
	// Rating is a store review's stars, 1 to 5; 0 on everything that is not a rated
	// review. AppVersion and Language say which version of the app was reviewed and in
	// what language (as the store gives it, e.g. "en-US"); empty elsewhere.
	Rating     int    `json:"rating,omitempty"`
	AppVersion string `json:"app_version,omitempty"`
	Language   string `json:"language,omitempty"`
	// Restore is what an export line says beyond the message (see jsonl_restore.go);
	// nil for a message from a channel.
	Restore *Restore `json:"-"`
}
