#pragma once
// Plays the ODE trajectory captured during sampling: play, pause and scrub t
// from 0 (noise) to 1 (masks), for one sample or all of them (their mean).

#include <QWidget>

#include <vector>

#include "flowseg/engine/sampler.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace flowseg::ui {

class TrajectoryPlayer : public QWidget {
    Q_OBJECT
public:
    explicit TrajectoryPlayer(QWidget* parent = nullptr);

    void setFrames(std::vector<engine::TrajectoryFrame> frames);
    /// What the frames are: the student's jumps or the full sampler's path.
    void setCaption(const QString& caption);
    [[nodiscard]] QString caption() const;
    [[nodiscard]] int frameCount() const { return static_cast<int>(m_frames.size()); }
    [[nodiscard]] int currentFrame() const;
    [[nodiscard]] double currentTime() const;
    /// -1 = all samples (their mean state), else the sample's index.
    [[nodiscard]] int sampleChoice() const;
    void setSampleChoice(int sample);
    /// The state shown at the current frame, in [0, 1].
    [[nodiscard]] common::ImageF currentState() const;
    [[nodiscard]] bool isShownOnSlice() const;
    void setShownOnSlice(bool shown);
    [[nodiscard]] bool isPlaying() const;

    QSlider* slider() const { return m_slider; }
    QToolButton* playButton() const { return m_play; }

public Q_SLOTS:
    void togglePlay();
    void setFrame(int frame);

Q_SIGNALS:
    void frameChanged(int frame);
    void displayChanged();

private:
    void advance();
    void updateLabel();

    std::vector<engine::TrajectoryFrame> m_frames;
    QToolButton* m_play;
    QSlider* m_slider;
    QLabel* m_time;
    QLabel* m_caption;
    QComboBox* m_which;
    QCheckBox* m_onSlice;
    QTimer* m_timer;
};

}  // namespace flowseg::ui
