#include "flowseg/ui/trajectory_player.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace flowseg::ui {

TrajectoryPlayer::TrajectoryPlayer(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    m_play = new QToolButton;
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_play->setToolTip(tr("Play / pause the ODE trajectory (Space)"));
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setRange(0, 0);
    m_slider->setAccessibleName(tr("Trajectory time"));
    m_time = new QLabel(tr("t = -"));
    m_time->setMinimumWidth(70);
    m_which = new QComboBox;
    m_which->addItem(tr("All samples (mean)"));
    m_onSlice = new QCheckBox(tr("Show on slice"));
    m_caption = new QLabel;
    m_caption->setAccessibleName(tr("What the trajectory shows"));
    layout->addWidget(m_caption);
    layout->addWidget(m_play);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_time);
    layout->addWidget(m_which);
    layout->addWidget(m_onSlice);
    setSizePolicy(QSizePolicy::Preferred,
                  QSizePolicy::Fixed);  // a control bar: never taller than its row
    m_timer = new QTimer(this);
    m_timer->setInterval(120);
    connect(m_timer, &QTimer::timeout, this, &TrajectoryPlayer::advance);
    connect(m_play, &QToolButton::clicked, this, &TrajectoryPlayer::togglePlay);
    connect(m_slider, &QSlider::valueChanged, this, [this](int frame) {
        updateLabel();
        Q_EMIT frameChanged(frame);
        Q_EMIT displayChanged();
    });
    // Touching the slider means the user wants to see the trajectory.
    connect(m_slider, &QSlider::sliderPressed, this, [this] { setShownOnSlice(true); });
    connect(m_slider, &QSlider::actionTriggered, this, [this] { setShownOnSlice(true); });
    connect(m_which, &QComboBox::currentIndexChanged, this, &TrajectoryPlayer::displayChanged);
    connect(m_onSlice, &QCheckBox::toggled, this, &TrajectoryPlayer::displayChanged);
    setEnabled(false);
}

void TrajectoryPlayer::setFrames(std::vector<engine::TrajectoryFrame> frames) {
    m_timer->stop();
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_frames = std::move(frames);
    const int samples = m_frames.empty() ? 0 : static_cast<int>(m_frames.front().states.size());
    {
        const QSignalBlocker blockWhich(m_which);
        const QSignalBlocker blockSlider(m_slider);
        const QSignalBlocker blockCheck(m_onSlice);
        m_which->clear();
        m_which->addItem(tr("All samples (mean)"));
        for (int i = 0; i < samples; ++i) m_which->addItem(tr("Sample %1").arg(i + 1));
        m_slider->setRange(0, std::max(0, frameCount() - 1));
        m_slider->setValue(std::max(0, frameCount() - 1));
        m_onSlice->setChecked(false);
    }
    setEnabled(!m_frames.empty());
    updateLabel();
    Q_EMIT displayChanged();
}

int TrajectoryPlayer::currentFrame() const { return m_slider->value(); }

double TrajectoryPlayer::currentTime() const {
    const int f = currentFrame();
    return f >= 0 && f < frameCount() ? m_frames[static_cast<size_t>(f)].t : 0.0;
}

int TrajectoryPlayer::sampleChoice() const { return m_which->currentIndex() - 1; }
void TrajectoryPlayer::setSampleChoice(int sample) { m_which->setCurrentIndex(sample + 1); }
bool TrajectoryPlayer::isShownOnSlice() const {
    return m_onSlice->isChecked() && !m_frames.empty();
}
void TrajectoryPlayer::setShownOnSlice(bool shown) { m_onSlice->setChecked(shown); }
void TrajectoryPlayer::setCaption(const QString& caption) {
    m_caption->setText(caption);
    m_caption->setToolTip(caption);
}

QString TrajectoryPlayer::caption() const { return m_caption->text(); }

bool TrajectoryPlayer::isPlaying() const { return m_timer->isActive(); }

common::ImageF TrajectoryPlayer::currentState() const {
    const int f = currentFrame();
    if (f < 0 || f >= frameCount()) return {};
    const auto& states = m_frames[static_cast<size_t>(f)].states;
    if (states.empty()) return {};
    const int which = sampleChoice();
    if (which >= 0 && which < static_cast<int>(states.size()))
        return states[static_cast<size_t>(which)];
    common::ImageF mean(states.front().height, states.front().width);
    for (const auto& s : states)
        for (size_t i = 0; i < mean.size(); ++i)
            mean.pixels[i] += s.pixels[i] / static_cast<float>(states.size());
    return mean;
}

void TrajectoryPlayer::togglePlay() {
    if (m_frames.empty()) return;
    if (m_timer->isActive()) {
        m_timer->stop();
        m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
        return;
    }
    setShownOnSlice(true);
    if (currentFrame() >= frameCount() - 1) m_slider->setValue(0);  // replay from noise
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_timer->start();
}

void TrajectoryPlayer::setFrame(int frame) { m_slider->setValue(frame); }

void TrajectoryPlayer::advance() {
    if (currentFrame() >= frameCount() - 1) {
        togglePlay();  // stop at t = 1
        return;
    }
    m_slider->setValue(currentFrame() + 1);
}

void TrajectoryPlayer::updateLabel() {
    m_time->setText(m_frames.empty() ? tr("t = -") : tr("t = %1").arg(currentTime(), 0, 'f', 2));
}

}  // namespace flowseg::ui
