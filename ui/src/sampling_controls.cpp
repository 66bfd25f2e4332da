#include "flowseg/ui/sampling_controls.h"

#include <QCheckBox>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QTimer>

#include <cmath>

#include "flowseg/engine/solver.h"
#include "flowseg/review/nodule_sampling.h"

namespace flowseg::ui {

namespace {
constexpr engine::Solver kSolvers[] = {engine::Solver::Euler,         engine::Solver::Midpoint,
                                       engine::Solver::Heun,          engine::Solver::Rk4,
                                       engine::Solver::DormandPrince, engine::Solver::Jump};
}

SamplingControls::SamplingControls(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    m_samples = new QSpinBox;
    m_samples->setRange(1, 64);
    m_samples->setToolTip(tr("M: number of plausible masks drawn"));
    m_solver = new QComboBox;
    m_solver->setToolTip(
        tr("jump: a distilled student's few steps (its default); the others integrate the flow "
           "(a student's teacher): the full sampler"));
    for (auto solver : kSolvers)
        m_solver->addItem(QString::fromStdString(engine::solverName(solver)));
    m_steps = new QSpinBox;
    m_steps->setRange(1, 1000);
    m_tolerance = new QDoubleSpinBox;
    m_tolerance->setDecimals(4);
    m_tolerance->setRange(1e-4, 0.5);
    m_tolerance->setSingleStep(0.001);
    m_guidance = new QDoubleSpinBox;
    m_guidance->setRange(0.0, 3.0);
    m_guidance->setSingleStep(0.05);
    m_guidance->setDecimals(2);
    m_guidance->setToolTip(tr("w: classifier-free guidance; changing it re-runs the sampler"));
    m_guidanceSlider = new QSlider(Qt::Horizontal);
    m_guidanceSlider->setRange(0, 300);
    m_seed = new QSpinBox;
    m_seed->setRange(0, 1'000'000);
    m_fast = new QPushButton(tr("Fast default"));
    m_paper = new QPushButton(tr("Paper setting"));
    m_paper->setToolTip(tr("Midpoint, 100 steps, w = 0.3, M = 15 (6000 network passes)"));
    m_sample = new QPushButton(tr("Sample  (S)"));
    m_sample->setDefault(true);
    m_cost = new QLabel;
    m_cost->setWordWrap(true);

    auto* guidanceRow = new QHBoxLayout;
    guidanceRow->addWidget(m_guidance);
    guidanceRow->addWidget(m_guidanceSlider, 1);
    auto* presets = new QHBoxLayout;
    presets->addWidget(m_fast);
    presets->addWidget(m_paper);
    form->addRow(tr("Samples M"), m_samples);
    form->addRow(tr("Solver"), m_solver);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Tolerance"), m_tolerance);
    form->addRow(tr("Guidance w"), guidanceRow);
    form->addRow(tr("Seed"), m_seed);
    m_wholeNodule = new QCheckBox(tr("Whole nodule (every slice it spans)"));
    m_wholeNodule->setChecked(true);
    m_wholeNodule->setToolTip(
        tr("Sample k becomes one outline through every slice the experts outlined (or the box's "
           "slice), going on while a sample continues, %1 slices at most. Off: the key slice "
           "alone, several times faster.")
            .arg(review::kMaxNoduleSlices));
    form->addRow(m_wholeNodule);
    form->addRow(presets);
    form->addRow(m_cost);
    form->addRow(m_sample);

    m_liveRerun = new QTimer(this);
    m_liveRerun->setSingleShot(true);
    m_liveRerun->setInterval(350);
    connect(m_liveRerun, &QTimer::timeout, this, &SamplingControls::sampleRequested);

    auto changed = [this] {
        if (m_updating) return;
        m_followsDefault = showsDefault();
        Q_EMIT optionsChanged();
    };
    connect(m_samples, &QSpinBox::valueChanged, this, changed);
    connect(m_steps, &QSpinBox::valueChanged, this, changed);
    connect(m_wholeNodule, &QCheckBox::toggled, this, [this](bool whole) {
        Q_EMIT wholeNoduleChanged(whole);
        Q_EMIT optionsChanged();
    });
    connect(m_seed, &QSpinBox::valueChanged, this, changed);
    connect(m_tolerance, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_solver, &QComboBox::currentIndexChanged, this, [this, changed] {
        const bool adaptive = kSolvers[m_solver->currentIndex()] == engine::Solver::DormandPrince;
        m_tolerance->setEnabled(adaptive);
        changed();
    });
    connect(m_guidance, &QDoubleSpinBox::valueChanged, this, [this, changed](double w) {
        const QSignalBlocker block(m_guidanceSlider);
        m_guidanceSlider->setValue(static_cast<int>(std::lround(w * 100)));
        changed();
        if (!m_updating) m_liveRerun->start();  // live re-run once the value settles
    });
    connect(m_guidanceSlider, &QSlider::valueChanged, this,
            [this](int v) { m_guidance->setValue(v / 100.0); });
    connect(m_fast, &QPushButton::clicked, this, [this] {
        auto o = m_default;
        o.seed = options().seed;
        setOptions(o);
        m_followsDefault = true;
        Q_EMIT optionsChanged();
    });
    connect(m_paper, &QPushButton::clicked, this, [this] {
        setOptions(engine::SamplingOptions::paper());
        m_followsDefault = false;
        Q_EMIT optionsChanged();
    });
    connect(m_sample, &QPushButton::clicked, this, &SamplingControls::sampleRequested);
    setDefaultOptions(engine::SamplingOptions::fastDefault());
}

engine::SamplingOptions SamplingControls::options() const {
    engine::SamplingOptions o;
    o.samples = m_samples->value();
    o.solver = kSolvers[std::max(0, m_solver->currentIndex())];
    o.steps = m_steps->value();
    o.tolerance = m_tolerance->value();
    o.guidance = m_guidance->value();
    o.seed = static_cast<std::uint64_t>(m_seed->value());
    return o;
}

void SamplingControls::setOptions(const engine::SamplingOptions& o) {
    m_updating = true;
    m_samples->setValue(o.samples);
    for (int i = 0; i < static_cast<int>(std::size(kSolvers)); ++i)
        if (kSolvers[i] == o.solver) m_solver->setCurrentIndex(i);
    m_tolerance->setEnabled(o.solver == engine::Solver::DormandPrince);
    m_steps->setValue(o.steps);
    m_tolerance->setValue(o.tolerance);
    m_guidance->setValue(o.guidance);
    m_seed->setValue(static_cast<int>(o.seed));
    m_updating = false;
}

void SamplingControls::setDefaultOptions(const engine::SamplingOptions& defaults) {
    m_default = defaults;
    m_fast->setToolTip(
        tr("The model's default: %1").arg(QString::fromStdString(defaults.describe())));
    if (!m_followsDefault) return;
    auto o = defaults;
    o.seed = options().seed;
    setOptions(o);
}

bool SamplingControls::showsDefault() const {
    const auto o = options();
    return o.solver == m_default.solver && o.steps == m_default.steps &&
           o.samples == m_default.samples && o.guidance == m_default.guidance;
}

void SamplingControls::setCostText(const QString& text) { m_cost->setText(text); }

QString SamplingControls::costText() const { return m_cost->text(); }

bool SamplingControls::wholeNodule() const { return m_wholeNodule->isChecked(); }

void SamplingControls::loadSettings() {
    QSettings settings;
    auto o = m_default;
    o.samples = settings.value("sampling/samples", o.samples).toInt();
    const auto solver =
        settings.value("sampling/solver", QString::fromStdString(engine::solverName(o.solver)))
            .toString();
    try {
        o.solver = engine::parseSolver(solver.toStdString());
    } catch (const std::exception&) {
        // An unknown name in the settings file (hand-edited, newer version): keep the default.
    }
    o.steps = settings.value("sampling/steps", o.steps).toInt();
    o.tolerance = settings.value("sampling/tolerance", o.tolerance).toDouble();
    o.guidance = settings.value("sampling/guidance", o.guidance).toDouble();
    o.seed = settings.value("sampling/seed", 0).toULongLong();
    // "default": whatever the model's default is then (a new model's jumps, say);
    // older settings files say nothing and had midpoint 8, the default of then.
    const auto legacy = engine::SamplingOptions::fastDefault();
    const bool wasDefault =
        settings.value("sampling/preset").toString() == QLatin1String("default") ||
        (!settings.contains("sampling/preset") && o.solver == legacy.solver &&
         o.steps == legacy.steps);
    {
        // Loading is not a change of the user's: nothing is saved back meanwhile
        // (the window reads wholeNodule() after loading).
        const QSignalBlocker quiet(m_wholeNodule);
        m_wholeNodule->setChecked(settings.value("sampling/wholeNodule", true).toBool());
    }
    if (wasDefault) {
        const auto seed = o.seed;
        o = m_default;
        o.seed = seed;
    }
    setOptions(o);
    m_followsDefault = showsDefault();
}

void SamplingControls::saveSettings() const {
    QSettings settings;
    const auto o = options();
    settings.setValue("sampling/samples", o.samples);
    settings.setValue("sampling/solver", QString::fromStdString(engine::solverName(o.solver)));
    settings.setValue("sampling/steps", o.steps);
    settings.setValue("sampling/tolerance", o.tolerance);
    settings.setValue("sampling/guidance", o.guidance);
    settings.setValue("sampling/seed", static_cast<qulonglong>(o.seed));
    settings.setValue("sampling/wholeNodule", wholeNodule());
    settings.setValue("sampling/preset",
                      m_followsDefault ? QStringLiteral("default") : QStringLiteral("custom"));
}

}  // namespace flowseg::ui
