package main

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/storybot/storybot/bot"
)

// promMetrics is the Prometheus implementation of bot.Metrics. It keeps its
// own registry, so tests and several runs in one process do not collide.
type promMetrics struct {
	reg       *prometheus.Registry
	questions *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
}

// newPromMetrics returns metrics registered in a fresh registry, with the Go
// runtime and process collectors beside them.
func newPromMetrics() *promMetrics {
	m := &promMetrics{
		reg: prometheus.NewRegistry(),
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
	m.reg.MustRegister(m.questions, m.latency, m.errors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Question implements bot.Metrics.
func (m *promMetrics) Question(platform string, outcome bot.Kind, took time.Duration) {
	m.questions.WithLabelValues(platform, outcome.String()).Inc()
	m.latency.WithLabelValues(platform).Observe(took.Seconds())
}

// PlatformError implements bot.Metrics.
func (m *promMetrics) PlatformError(platform, kind string) {
	m.errors.WithLabelValues(platform, kind).Inc()
}

// Handler serves the metrics in Prometheus' text exposition format.
func (m *promMetrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
