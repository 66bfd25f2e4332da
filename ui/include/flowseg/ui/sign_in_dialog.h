#pragma once
// Sign in as an expert: a name and a role. Every outline is stored under them.

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace flowseg::ui {

class SignInDialog : public QDialog {
    Q_OBJECT
public:
    SignInDialog(const QString& name, const QString& role, QWidget* parent = nullptr);
    [[nodiscard]] QString name() const;
    [[nodiscard]] QString role() const;
    QLineEdit* nameEdit() const { return m_name; }
    QComboBox* roleBox() const { return m_role; }

private:
    QLineEdit* m_name;
    QComboBox* m_role;
};

}  // namespace flowseg::ui
