// Package inbox is the heart of triage: ingest (dedup, rules, priority), the queue and its
// states, tags, escalations, canned replies in the brand's voice, response times and
// statistics. It knows no screen and no SQL; it reads and writes through store.
package inbox

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/triage-inbox/triage/store"
)

// Service is the inbox: every operation a person or a channel performs on it.
type Service struct {
	db        *store.DB
	cfg       *Config
	agent     string
	role      Role // what the agent may do (role.go); admin unless told
	now       func() time.Time
	sentiment *Sentiment
	rules     *Rules
	voice     *Voice
	hours     *BusinessHours
	sla       *slaTargets
	sendDelay time.Duration // the undo window of a reply
	keys      func() string // replies' idempotency keys; nil: random (see Keyed)
}

// Option adjusts a Service.
type Option func(*Service)

// WithClock sets the clock (tests and the demo use a fixed one).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithAgent sets who is working, overriding config.
func WithAgent(name string) Option { return func(s *Service) { s.agent = name } }

// New builds the inbox over an open database: it seeds canned replies from config and,
// when SLA targets or business hours changed since last time, recomputes due times.
func New(ctx context.Context, db *store.DB, cfg *Config, opts ...Option) (*Service, error) {
	if cfg == nil {
		var err error
		if cfg, err = ParseConfig("defaults", ""); err != nil {
			return nil, err
		}
	}
	s := &Service{db: db, cfg: cfg, agent: cfg.Agent, role: RoleAdmin, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if !slices.Contains(Roles, s.role) {
		return nil, fmt.Errorf("unknown role %q (want agent, lead or admin)", s.role)
	}
	var err error
	s.sentiment = NewSentiment(cfg.Sentiment)
	if s.rules, err = NewRules(cfg.Rules); err != nil {
		return nil, err
	}
	s.voice = NewVoice(cfg.Voice)
	if s.hours, err = NewBusinessHours(cfg.BusinessHours); err != nil {
		return nil, err
	}
	if s.sla, err = cfg.SLA.targets(); err != nil {
		return nil, err
	}
	if s.sendDelay, err = cfg.Outbox.sendDelay(); err != nil {
		return nil, err
	}
	if db.ReadOnly() {
		return s, nil // a read-only database is shown as it is; seeding would be a write
	}
	if err := s.seedCanned(ctx); err != nil {
		return nil, err
	}
	if err := s.refreshDueTimes(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Config is the configuration the inbox runs with.
func (s *Service) Config() *Config { return s.cfg }

// Agent is the person at the keyboard.
func (s *Service) Agent() string { return s.agent }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// DB is the underlying store, for the wiring in main and for tests.
func (s *Service) DB() *store.DB { return s.db }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func (s *Service) env() store.Env { return store.Env{NowMS: ms(s.now()), Me: s.agent} }

func (s *Service) seedCanned(ctx context.Context) error {
	if len(s.cfg.Canned) == 0 {
		return nil
	}
	at := ms(s.now())
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		for _, c := range s.cfg.Canned {
			if _, err := tx.SeedCanned(ctx, store.Canned{Name: c.Name, Body: c.Body, Variants: c.Variants}, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// dueAt is when a message of that channel and priority that arrived at t must be answered.
func (s *Service) dueAt(channel string, p Priority, t time.Time) time.Time {
	target := s.sla.target(channel, p)
	if s.cfg.SLA.UseBusinessHours {
		return s.hours.Add(t, target)
	}
	return t.Add(target)
}

// refreshDueTimes recomputes the stored due times of waiting messages when the SLA
// settings differ from those they were computed with.
func (s *Service) refreshDueTimes(ctx context.Context) error {
	fp := s.cfg.slaFingerprint()
	have, err := s.db.Meta(ctx, "sla_fingerprint")
	if err != nil {
		return fmt.Errorf("read SLA settings: %w", err)
	}
	if have == fp {
		return nil
	}
	type due struct{ id, conv, at int64 }
	var dues []due
	err = s.db.Unanswered(ctx, func(r store.UnansweredRow) error {
		d := s.dueAt(r.Channel, Priority(r.Priority), fromMS(r.CreatedAt))
		dues = append(dues, due{r.ID, r.ConversationID, ms(d)})
		return nil
	})
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		convs := map[int64]bool{}
		for _, d := range dues {
			if err := tx.SetDue(ctx, d.id, d.at); err != nil {
				return err
			}
			convs[d.conv] = true
		}
		for id := range convs {
			if err := tx.RefreshConversation(ctx, id); err != nil {
				return err
			}
		}
		return tx.SetMeta(ctx, "sla_fingerprint", fp)
	})
}

// Clocked returns the same inbox on another clock; the demo uses it to record history at
// the times it happened.
func (s *Service) Clocked(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// MarkDemo records that this database holds the demo inbox, so `triage demo` may later
// overwrite it and never overwrites anything else.
func (s *Service) MarkDemo(ctx context.Context, seed int64) error {
	return s.db.Tx(ctx, func(tx *store.Tx) error { return tx.SetMeta(ctx, "demo_seed", fmt.Sprint(seed)) })
}

// IsDemo reports whether the database holds the demo inbox.
func (s *Service) IsDemo(ctx context.Context) (bool, error) {
	v, err := s.db.Meta(ctx, "demo_seed")
	return v != "", err
}

// As returns the same inbox acting as another person, so the audit log says who did what.
func (s *Service) As(agent string) *Service {
	c := *s
	c.agent = agent
	return &c
}

// SLATarget is the first-response target for a message of that channel and priority.
func (s *Service) SLATarget(channel string, p Priority) time.Duration {
	return s.sla.target(channel, p)
}

// ConversationID finds a conversation by the channel's names for it: channel, our account
// and the conversation key. It returns an error wrapping store.ErrNotFound when unknown.
func (s *Service) ConversationID(ctx context.Context, channel, account, key string) (int64, error) {
	return s.db.ConversationID(ctx, NormalizeChannel(channel), account, key)
}

// ReadOnly reports whether the database can only be read (no permission to write it):
// the UI then says so and shows, but changes nothing.
func (s *Service) ReadOnly() bool { return s.db.ReadOnly() }
