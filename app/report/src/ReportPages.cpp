// The report's A4 pages, drawn in millimetres.
#include "ReportPages.h"

#include <QBuffer>
#include <QPageSize>

#include <QObject>
#include <QPageLayout>

#include <algorithm>

namespace drg::report
{

ReportPages::ReportPages(QPdfWriter& writer, int total, QString footer)
  : m_writer(writer)
  , m_painter(&writer)
  , m_total(total)
  , m_footer(footer.isEmpty()
               ? QObject::tr("drgplan placement report - a planning aid: verify intra-operatively")
               : std::move(footer))
{
  const double dotsPerMm = writer.resolution() / 25.4;
  m_painter.scale(dotsPerMm, dotsPerMm); // millimetres from here on
  m_width = writer.pageLayout().paintRect(QPageLayout::Millimeter).width();
  m_height = writer.pageLayout().paintRect(QPageLayout::Millimeter).height();
  begin();
}

ReportPages::~ReportPages()
{
  m_painter.end();
}

void ReportPages::newPage()
{
  m_writer.newPage();
  begin();
}

void ReportPages::heading(const QString& text, double size)
{
  text_(text, size, true);
  y += 1.5;
}

void ReportPages::paragraph(const QString& text, double size, bool bold, const QColor& colour)
{
  text_(text, size, bold, colour);
}

void ReportPages::table(const std::vector<std::pair<QString, QString>>& rows, double size, double nameWidth)
{
  QFont f = font(size, false);
  m_painter.setFont(f);
  for (const auto& [name, value] : rows) {
    const QRectF valueBox(nameWidth, y, m_width - nameWidth, 1000);
    const QRectF used = m_painter.boundingRect(valueBox, Qt::TextWordWrap, value);
    m_painter.setPen(QColor(70, 70, 70));
    m_painter.drawText(QRectF(0, y, nameWidth - 2, used.height()), Qt::TextWordWrap, name);
    m_painter.setPen(Qt::black);
    m_painter.drawText(valueBox, Qt::TextWordWrap, value);
    y += std::max(used.height(), 3.6) + 0.6;
  }
  y += 1.5;
}

void ReportPages::images(const std::vector<std::pair<QImage, QString>>& items, double heightMm)
{
  const double gap = 4;
  const double w = (m_width - gap * (items.size() - 1)) / items.size();
  double x = 0;
  for (const auto& [img, caption] : items) {
    if (!img.isNull() && m_total > 0) {
      const double scale = std::min(w / img.width(), heightMm / img.height());
      const QRectF r(x, y, img.width() * scale, img.height() * scale);
      m_painter.drawImage(r, img);
    }
    m_painter.setFont(font(7.5, false));
    m_painter.setPen(QColor(60, 60, 60));
    m_painter.drawText(QRectF(x, y + heightMm + 0.5, w, 8), Qt::TextWordWrap, caption);
    x += w + gap;
  }
  y += heightMm + 8;
}

QFont ReportPages::font(double points, bool bold) const
{
  QFont f("DejaVu Sans");
  // the painter draws in millimetres, and a font's points are turned into the device's dots first
  f.setPointSizeF(points * 0.3528 * 72.0 / m_writer.resolution());
  // no ligatures ("fi" as one glyph): the PDF's text must be found by searching for "verified"
  // (any letter spacing turns Qt's ligatures off; 0.02 mm, above its 1/64 resolution, does not show)
  f.setLetterSpacing(QFont::AbsoluteSpacing, 0.02);
  f.setBold(bold);
  return f;
}

void ReportPages::text_(const QString& text, double size, bool bold, const QColor& colour)
{
  m_painter.setFont(font(size, bold));
  m_painter.setPen(colour);
  const QRectF box(0, y, m_width, 1000);
  const QRectF used = m_painter.boundingRect(box, Qt::TextWordWrap, text);
  m_painter.drawText(box, Qt::TextWordWrap, text);
  y += used.height() + 1.2;
}

void ReportPages::begin()
{
  ++m_page;
  y = 0;
  m_painter.setFont(font(7.5, false));
  m_painter.setPen(QColor(90, 90, 90));
  m_painter.drawText(QRectF(0, m_height - 6, m_width, 6), Qt::AlignRight | Qt::AlignBottom,
                     m_total > 0 ? QObject::tr("Page %1 of %2").arg(m_page).arg(m_total)
                                 : QObject::tr("Page %1").arg(m_page));
  m_painter.drawText(QRectF(0, m_height - 6, m_width, 6), Qt::AlignLeft | Qt::AlignBottom, m_footer);
}

QByteArray numberedPdf(const QString& title, const QString& creator, const QString& footer,
                       const std::function<void(ReportPages&)>& draw, int& pages)
{
  QByteArray bytes;
  int total = 0;
  for (int pass = 0; pass < 2; ++pass) {
    bytes.clear();
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 12), QPageLayout::Millimeter);
    writer.setResolution(200);
    writer.setTitle(title);
    writer.setCreator(creator);
    ReportPages p(writer, total, footer);
    draw(p);
    total = p.count();
  }
  pages = total;
  return bytes;
}

} // namespace drg::report
