package bot

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done, and returns ctx.Err() when ctx ended
// the wait (or was done already), else nil. A d of zero or less does not
// wait. It is the adapters' back-off between retries, which shutdown must
// be able to cut short.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
