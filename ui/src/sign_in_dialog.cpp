#include "flowseg/ui/sign_in_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>

namespace flowseg::ui {

SignInDialog::SignInDialog(const QString& name, const QString& role, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Sign in as an expert"));
    auto* form = new QFormLayout(this);
    m_name = new QLineEdit(name);
    m_name->setPlaceholderText(tr("your name, as the store keeps it"));
    m_role = new QComboBox;
    m_role->setEditable(true);
    m_role->addItems({tr("radiologist"), tr("resident"), tr("thoracic surgeon"), tr("reader")});
    m_role->setCurrentText(role.isEmpty() ? tr("radiologist") : role);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Role"), m_role);
    form->addRow(buttons);
    const auto update = [this, buttons] {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!this->name().isEmpty());
    };
    connect(m_name, &QLineEdit::textChanged, this, update);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    update();
}

QString SignInDialog::name() const { return m_name->text().trimmed(); }
QString SignInDialog::role() const { return m_role->currentText().trimmed(); }

}  // namespace flowseg::ui
