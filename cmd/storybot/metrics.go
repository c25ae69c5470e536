package main

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/storybot/storybot/bot"
)

// promMetrics is the Prometheus implementation of bot.Metrics. It keeps its
// own registries, so tests and several runs in one process do not collide.
//
// A question is counted in two series, storybot_questions_total and the
// latency histogram. A scrape sees both or neither: Question updates them
// under mu's read lock (questions never wait for each other) and a scrape
// gathers them under its write lock, so sum(questions_total) by platform
// always equals question_duration_seconds_count. The Go runtime and process
// collectors are gathered outside the lock, from a registry of their own.
type promMetrics struct {
	mu        sync.RWMutex
	reg       *prometheus.Registry // storybot's own series, gathered under mu
	runtime   *prometheus.Registry // Go runtime and process
	questions *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
}

// newPromMetrics returns metrics registered in a fresh registry, with the Go
// runtime and process collectors beside them.
func newPromMetrics() *promMetrics {
	m := &promMetrics{
		reg:     prometheus.NewRegistry(),
		runtime: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_questions_total",
			Help: "Questions received, by platform and outcome (answered, not_found, empty, too_long, limited, silent).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "storybot_question_duration_seconds",
			Help:    "Time to answer one question, from the question to the reply value, by platform.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"platform"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_platform_errors_total",
			Help: "Errors talking to a chat platform, by platform and kind.",
		}, []string{"platform", "kind"}),
	}
	m.reg.MustRegister(m.questions, m.latency, m.errors)
	m.runtime.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Question implements bot.Metrics.
func (m *promMetrics) Question(platform string, outcome bot.Kind, took time.Duration) {
	count := m.questions.WithLabelValues(platform, outcome.String())
	timing := m.latency.WithLabelValues(platform)
	m.mu.RLock()
	defer m.mu.RUnlock()
	count.Inc()
	timing.Observe(took.Seconds())
}

// PlatformError implements bot.Metrics.
func (m *promMetrics) PlatformError(platform, kind string) {
	m.errors.WithLabelValues(platform, kind).Inc()
}

// Handler serves the metrics in Prometheus' text exposition format.
func (m *promMetrics) Handler() http.Handler {
	g := prometheus.Gatherers{lockedGatherer{&m.mu, m.reg}, m.runtime}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{Registry: m.reg})
}

// lockedGatherer gathers g holding mu's write lock.
type lockedGatherer struct {
	mu *sync.RWMutex
	g  prometheus.Gatherer
}

func (l lockedGatherer) Gather() ([]*dto.MetricFamily, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.g.Gather()
}
