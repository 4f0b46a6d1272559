package inbox

import (
	"time"

	"github.com/triage-inbox/triage/store"
)

// TextVersion is a text a message had before an edit, as export writes it.
type TextVersion struct {
	Text      string    `json:"text"`
	WrittenAt time.Time `json:"written_at"`
}

// setMarks writes a message's marks on its export line.
func (rec *ExportRecord) setMarks(m store.MessageMarks) {
	for _, v := range m.Versions {
		rec.Versions = append(rec.Versions, TextVersion{Text: v.Text, WrittenAt: fromMS(v.WrittenAt)})
	}
	rec.EditedAt, rec.RemovedAt, rec.HiddenAt = timeOrNil(m.EditedAt), timeOrNil(m.RemovedAt), timeOrNil(m.HiddenAt)
	rec.Hidden = m.Hidden
}

func timeOrNil(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := fromMS(ms)
	return &t
}

// marks is what an import line says became of its message, for store.
func (r *Restore) marks() store.MessageMarks {
	m := store.MessageMarks{EditedAt: msOrZero(r.EditedAt), RemovedAt: msOrZero(r.RemovedAt), Hidden: r.Hidden, HiddenAt: msOrZero(r.HiddenAt)}
	for _, v := range r.Versions {
		m.Versions = append(m.Versions, store.TextVersion{WrittenAt: ms(v.WrittenAt), Text: v.Text})
	}
	return m
}
